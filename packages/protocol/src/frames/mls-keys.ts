/**
 * MLS KeyPackage frames (ADR 0018): each device uploads KeyPackages like prekeys, one-time ones plus one
 * last-resort one; a member that adds a device to a group claims one of that device's KeyPackages. The
 * server checks sizes only: it does not parse MLS, and the adding member verifies every KeyPackage
 * (signature, credential against the owner's identity-signed device list) before using it.
 */

import { WIRE_BOUNDS } from '../limits.js';
import { accountName } from '../names.js';
import type { Infer } from '../schema/core.js';
import { array, frame, object } from '../schema/object.js';
import { bool, bytes, optional, uint } from '../schema/primitives.js';
import { deviceAddress, deviceId, requestId } from './common.js';

/** An encoded MLS KeyPackage (RFC 9420 §10, `MLSMessage` of wire format `mls_key_package`), opaque here. */
export const keyPackageBytes = bytes({ min: 1, max: WIRE_BOUNDS.keyPackageBytes });

/**
 * Client → server: add one-time KeyPackages for the authenticated device (to its pool, at most
 * `keyPackageMaxStored` in all: INVALID_ARGUMENT beyond, nothing added) and, with `lastResort`, replace its
 * last-resort KeyPackage. May be a large frame (up to `maxGroupFrameBytes`). Answer: `ok`.
 */
export const mlsKeysUploadFrame = frame('mls.keys.upload', {
  id: requestId,
  keyPackages: array(keyPackageBytes, { max: WIRE_BOUNDS.keyPackagesPerUpload }),
  lastResort: optional(keyPackageBytes),
});

/** Client → server: how many one-time KeyPackages the authenticated device has left. */
export const mlsKeysCountFrame = frame('mls.keys.count', { id: requestId });

/**
 * Server → client: answer to `mls.keys.count`. `count` one-time KeyPackages are left; `lastResort` tells
 * whether a last-resort one is stored.
 */
export const mlsKeysCountResultFrame = frame('mls.keys.count.result', {
  id: requestId,
  count: uint(),
  lastResort: bool(),
});

/**
 * Server → client push: a claim left the device with fewer than `keyPackageLowWaterMark` one-time
 * KeyPackages (`count` left); the client uploads more. Check with `mls.keys.count` at start-up.
 */
export const mlsKeysLowFrame = frame('mls.keys.low', { count: uint() });

/**
 * Client → server: claim one KeyPackage of each listed device, to add them to a group. Every listed
 * account must be the requester's own or an accepted contact that does not block it (NOT_A_CONTACT,
 * BLOCKED, ACCOUNT_NOT_FOUND: nothing is claimed). Each device hands out one one-time KeyPackage, deleted
 * as it is handed out, or its last-resort one when the pool is empty. Answer: `mls.keys.claim.result`
 * listing only the devices that had one; NO_KEY_PACKAGES when none of them had any. Counts against
 * `keyPackageClaimsPerRequesterPerMinute` (RATE_LIMITED).
 */
export const mlsKeysClaimFrame = frame('mls.keys.claim', {
  id: requestId,
  devices: array(deviceAddress, { min: 1, max: WIRE_BOUNDS.keyPackageClaimDevices }),
});

/** One claimed KeyPackage and the device it belongs to (by the server's word: the client verifies). */
export const claimedKeyPackage = object({ account: accountName, deviceId, keyPackage: keyPackageBytes });

/** One claimed KeyPackage. */
export type ClaimedKeyPackage = Infer<typeof claimedKeyPackage>;

/**
 * Server → client: answer to `mls.keys.claim`, in the order requested. A device that has no KeyPackage at
 * all (never uploaded one, or not a current device) is left out; the client compares with what it asked.
 */
export const mlsKeysClaimResultFrame = frame('mls.keys.claim.result', {
  id: requestId,
  keyPackages: array(claimedKeyPackage, { max: WIRE_BOUNDS.keyPackageClaimDevices }),
});
