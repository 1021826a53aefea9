/**
 * A group member is a device (ADR 0018): its MLS credential is a `basic` credential whose identity is the
 * UTF-8 string `sotto:v1:<account>:<deviceId>`, and its leaf signature key is the device's Ed25519
 * signing key, the one the account's identity-signed device list names. Parsing is strict: one spelling
 * per device (normalized account name, decimal device id without leading zeros), so two leaves cannot
 * name one device in two ways.
 */

import type { Credential } from 'ts-mls';
import { fromUtf8, utf8 } from '../bytes.js';
import { SottoError } from '../errors.js';

/** A device as a group member names it. */
export interface MemberDevice {
  readonly account: string;
  readonly deviceId: number;
}

const PREFIX = 'sotto:v1:';
/** Same rule as the protocol's account names (normalized form). */
const ACCOUNT = /^[a-z0-9](?:[a-z0-9._-]{1,30})[a-z0-9]$/;
const DEVICE_ID = /^(?:0|[1-9][0-9]{0,9})$/;
/** Longest identity: the prefix, a 32-character name, a colon and a 10-digit id. */
const MAX_IDENTITY_BYTES = PREFIX.length + 32 + 1 + 10;

function checkDevice(d: MemberDevice): void {
  if (
    !ACCOUNT.test(d.account) ||
    !Number.isInteger(d.deviceId) ||
    d.deviceId < 0 ||
    d.deviceId > 0xffff_ffff
  ) {
    throw new SottoError('INVALID_ARGUMENT', 'member: not a valid account name and device id');
  }
}

/** The credential identity of a device: `sotto:v1:<account>:<deviceId>`. Throws INVALID_ARGUMENT. */
export function memberIdentity(d: MemberDevice): Uint8Array {
  checkDevice(d);
  return utf8(`${PREFIX}${d.account}:${d.deviceId}`);
}

/** The `basic` MLS credential of a device. */
export function memberCredential(d: MemberDevice): Credential {
  return { credentialType: 'basic', identity: memberIdentity(d) };
}

/**
 * The device a credential names. Throws GROUP_CREDENTIAL_INVALID for anything but a `basic` credential
 * with an identity in the one accepted spelling.
 */
export function parseMemberCredential(c: Credential): MemberDevice {
  if (c.credentialType !== 'basic' || c.identity.length > MAX_IDENTITY_BYTES) {
    throw new SottoError('GROUP_CREDENTIAL_INVALID', 'member: not a Sotto device credential');
  }
  let s: string;
  try {
    s = fromUtf8(c.identity);
  } catch {
    throw new SottoError('GROUP_CREDENTIAL_INVALID', 'member: not a Sotto device credential');
  }
  const rest = s.startsWith(PREFIX) ? s.slice(PREFIX.length) : '';
  const colon = rest.lastIndexOf(':');
  const account = rest.slice(0, colon);
  const id = rest.slice(colon + 1);
  if (colon < 0 || !ACCOUNT.test(account) || !DEVICE_ID.test(id) || Number(id) > 0xffff_ffff) {
    throw new SottoError('GROUP_CREDENTIAL_INVALID', 'member: not a Sotto device credential');
  }
  return { account, deviceId: Number(id) };
}
