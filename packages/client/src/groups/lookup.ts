/**
 * The member lookup of one group operation (ADR 0018 "a leaf is a device"): the signing key the
 * account's verified, identity-signed device list names for a device. The stored list answers first; a
 * device it does not name (added since) makes the list be fetched and verified again, once per account
 * per operation. A list that does not verify, or an identity key that is not trusted (a verified contact's
 * key changed), vouches for nobody; a list that cannot be fetched now (offline) fails the operation, to be
 * tried again.
 */

import { type MemberLookup, SottoError } from '@sotto/crypto';
import type { Ctx } from '../context.js';
import { refreshDevices, storedDevices, type VerifiedDevices } from '../directory.js';

const REFUSED = ['INVALID_SIGNATURE', 'DEVICE_LIST_REJECTED', 'MALFORMED_ENCODING', 'WRONG_KEY_TYPE'];
const UNTRUSTED = ['UNTRUSTED_IDENTITY', 'ACCOUNT_NOT_FOUND', ...REFUSED];

/** A lookup over the verified device lists, refreshing each account at most once. */
export function memberLookup(ctx: Ctx): MemberLookup {
  const fresh = new Map<string, Promise<VerifiedDevices | undefined>>();
  return async ({ account, deviceId }) => {
    const stored = await storedDevices(ctx, account).catch(() => undefined);
    const hit = stored?.certified.get(deviceId);
    if (hit !== undefined) return hit.signingKey;
    let f = fresh.get(account);
    if (f === undefined) {
      f = refreshDevices(ctx, account).catch((err: unknown) => {
        if (SottoError.is(err) && UNTRUSTED.includes(err.code)) return undefined;
        throw err;
      });
      fresh.set(account, f);
    }
    return (await f)?.certified.get(deviceId)?.signingKey;
  };
}

/**
 * A lookup over the stored lists only (no network): for deciding which leaves' devices left their
 * owners' lists before sending.
 */
export function storedLookup(ctx: Ctx): MemberLookup {
  return async ({ account, deviceId }) =>
    (await storedDevices(ctx, account).catch(() => undefined))?.certified.get(deviceId)?.signingKey;
}
