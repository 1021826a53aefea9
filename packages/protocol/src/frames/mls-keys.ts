/**
 * MLS KeyPackage frames (ADR 0018): each device uploads KeyPackages like prekeys, one-time ones plus one
 * last-resort one, per MLS ciphersuite; a member that adds a device to a group claims one of that device's
 * KeyPackages in the group's suite. The server checks sizes and that each KeyPackage's encoded suite is the
 * declared one (MLS_INVALID otherwise); the adding member verifies every KeyPackage (signature, credential
 * against the owner's identity-signed device list) before using it.
 *
 * `suite` (an RFC 9420 code point) is optional on every frame here and means {@link DEFAULT_KEY_PACKAGE_SUITE}
 * (X-Wing, 83) when absent: clients from before suites send none and keep working on X-Wing, and the server
 * leaves it out of what it sends for X-Wing, so such clients decode every answer (objects are closed).
 */

import { WIRE_BOUNDS } from '../limits.js';
import { accountName } from '../names.js';
import type { Infer } from '../schema/core.js';
import { array, frame, object } from '../schema/object.js';
import { bool, bytes, optional, uint } from '../schema/primitives.js';
import { deviceAddress, deviceId, requestId } from './common.js';
import { ciphersuite } from './groups.js';

/** The suite a KeyPackage frame without `suite` means: `MLS_256_XWING_AES256GCM_SHA512_Ed25519` (83). */
export const DEFAULT_KEY_PACKAGE_SUITE = 83;

/** The optional `suite` field of the KeyPackage frames (absent: {@link DEFAULT_KEY_PACKAGE_SUITE}). */
const suiteField = optional(ciphersuite);

/** An encoded MLS KeyPackage (RFC 9420 §10, `MLSMessage` of wire format `mls_key_package`), opaque here. */
export const keyPackageBytes = bytes({ min: 1, max: WIRE_BOUNDS.keyPackageBytes });

/**
 * Client → server: add one-time KeyPackages of `suite` for the authenticated device (to its pool of that
 * suite; at most `keyPackageMaxStored` one-time ones in all suites together: INVALID_ARGUMENT beyond,
 * nothing added) and, with `lastResort`, replace its last-resort KeyPackage of that suite. Every
 * KeyPackage must be an `MLSMessage` carrying a KeyPackage of `suite` (MLS_INVALID otherwise, nothing
 * added); a device may keep KeyPackages of at most {@link WIRE_BOUNDS}.keyPackageSuites suites
 * (INVALID_ARGUMENT). May be a large frame (up to `maxGroupFrameBytes`). Answer: `ok`.
 */
export const mlsKeysUploadFrame = frame('mls.keys.upload', {
  id: requestId,
  suite: suiteField,
  keyPackages: array(keyPackageBytes, { max: WIRE_BOUNDS.keyPackagesPerUpload }),
  lastResort: optional(keyPackageBytes),
});

/** Client → server: how many one-time KeyPackages of `suite` the authenticated device has left. */
export const mlsKeysCountFrame = frame('mls.keys.count', { id: requestId, suite: suiteField });

/**
 * Server → client: answer to `mls.keys.count`. `count` one-time KeyPackages are left; `lastResort` tells
 * whether a last-resort one is stored.
 */
export const mlsKeysCountResultFrame = frame('mls.keys.count.result', {
  id: requestId,
  suite: suiteField,
  count: uint(),
  lastResort: bool(),
});

/**
 * Server → client push: a claim left the device with fewer than `keyPackageLowWaterMark` one-time
 * KeyPackages of `suite` (`count` left); the client uploads more. Check with `mls.keys.count` at start-up.
 */
export const mlsKeysLowFrame = frame('mls.keys.low', { suite: suiteField, count: uint() });

/**
 * Client → server: claim one KeyPackage of `suite` (the group's) of each listed device, to add them to a
 * group. Every listed
 * account must be the requester's own or an accepted contact that does not block it (NOT_A_CONTACT,
 * BLOCKED, ACCOUNT_NOT_FOUND: nothing is claimed). Each device hands out one one-time KeyPackage, deleted
 * as it is handed out, or its last-resort one when the pool is empty. Answer: `mls.keys.claim.result`
 * listing only the devices that had one; NO_KEY_PACKAGES when none of them had any. Counts against
 * `keyPackageClaimsPerRequesterPerMinute` (RATE_LIMITED).
 */
export const mlsKeysClaimFrame = frame('mls.keys.claim', {
  id: requestId,
  suite: suiteField,
  devices: array(deviceAddress, { min: 1, max: WIRE_BOUNDS.keyPackageClaimDevices }),
});

/** One claimed KeyPackage and the device it belongs to (by the server's word: the client verifies). */
export const claimedKeyPackage = object({ account: accountName, deviceId, keyPackage: keyPackageBytes });

/** One claimed KeyPackage. */
export type ClaimedKeyPackage = Infer<typeof claimedKeyPackage>;

/**
 * Server → client: answer to `mls.keys.claim`, in the order requested, all of the claim's `suite`. A device that has no KeyPackage at
 * all (never uploaded one, or not a current device) is left out; the client compares with what it asked.
 */
export const mlsKeysClaimResultFrame = frame('mls.keys.claim.result', {
  id: requestId,
  suite: suiteField,
  keyPackages: array(claimedKeyPackage, { max: WIRE_BOUNDS.keyPackageClaimDevices }),
});
