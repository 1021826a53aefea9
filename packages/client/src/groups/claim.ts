/**
 * Claiming and checking the KeyPackages of devices to add (ADR 0018 `mls.keys.claim`): the server hands
 * out one per device, but only the verified device list decides whose they are. Each KeyPackage must name
 * the device it was claimed for and carry the signing key its account's identity-signed list names for it,
 * and verify (GROUP_CREDENTIAL_INVALID, MLS_INVALID otherwise: a server cannot slip in a key of its own).
 */

import {
  type GroupSuite,
  type MemberDevice,
  type MlsKeyPackage,
  SottoError,
  verifyMemberKeyPackage,
} from '@sotto/crypto';
import type { FrameOf } from '@sotto/protocol';
import type { Ctx } from '../context.js';
import { refreshDevices } from '../directory.js';
import { keyPackageFrameSuite, keyPackageSuiteField } from './key-packages.js';

/** Most devices in one claim (the wire bound). */
const CLAIM_BATCH = 64;

/** The certified devices of `accounts` (freshly fetched and verified), as member devices. */
export async function devicesOfAccounts(
  ctx: Ctx,
  accounts: readonly string[],
): Promise<Array<MemberDevice & { signingKey: Uint8Array }>> {
  const out: Array<MemberDevice & { signingKey: Uint8Array }> = [];
  for (const account of accounts) {
    const d = await refreshDevices(ctx, account);
    for (const [deviceId, cert] of d.certified) out.push({ account, deviceId, signingKey: cert.signingKey });
  }
  return out;
}

/**
 * Claims and verifies one KeyPackage of `suite` (the group's) for each of `devices`. Devices the server
 * had none of that suite for are left out of the result. Throws GROUP_CREDENTIAL_INVALID / MLS_INVALID
 * for a KeyPackage that does not match (another device, key or suite), and the server's refusals
 * (NOT_A_CONTACT, BLOCKED, NO_KEY_PACKAGES, RATE_LIMITED).
 */
export async function claimKeyPackages(
  ctx: Ctx,
  suite: GroupSuite,
  devices: ReadonlyArray<MemberDevice & { signingKey: Uint8Array }>,
): Promise<Map<string, MlsKeyPackage>> {
  const out = new Map<string, MlsKeyPackage>();
  for (let i = 0; i < devices.length; i += CLAIM_BATCH) {
    const batch = devices.slice(i, i + CLAIM_BATCH);
    let r: FrameOf<'mls.keys.claim.result'>;
    try {
      r = (await ctx.request({
        t: 'mls.keys.claim',
        ...keyPackageSuiteField(suite),
        devices: batch.map((d) => ({ account: d.account, deviceId: d.deviceId })),
      })) as FrameOf<'mls.keys.claim.result'>;
    } catch (err) {
      if (SottoError.is(err, 'NO_KEY_PACKAGES')) continue;
      throw err;
    }
    if (keyPackageFrameSuite(r) !== suite)
      throw new SottoError('MLS_INVALID', 'KeyPackages of another suite than the one asked for.');
    for (const c of r.keyPackages) {
      const d = batch.find((x) => x.account === c.account && x.deviceId === c.deviceId);
      if (d === undefined)
        throw new SottoError('GROUP_CREDENTIAL_INVALID', 'A KeyPackage for a device not asked for.');
      const kp = await verifyMemberKeyPackage(ctx.p, c.keyPackage, {
        suite,
        device: d,
        signingKey: d.signingKey,
      });
      out.set(`${d.account}/${d.deviceId}`, kp);
    }
  }
  return out;
}
