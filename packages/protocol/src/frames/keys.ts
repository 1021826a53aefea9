/**
 * Key directory frames: upload and count a device's prekeys, fetch prekey bundles, low-water push.
 */

import { WIRE_BOUNDS } from '../limits.js';
import { accountName } from '../names.js';
import type { Infer } from '../schema/core.js';
import { array, frame, object } from '../schema/object.js';
import { bool, optional, uint } from '../schema/primitives.js';
import {
  certificateBytes,
  deviceId,
  deviceListBytes,
  ecPrekeyBytes,
  identityKeyBytes,
  kemPrekeyBytes,
  requestId,
} from './common.js';

const batch = WIRE_BOUNDS.prekeyBatch;

/**
 * Client → server: add prekeys for the authenticated device. `signedPrekey` replaces the current
 * signed X25519 prekey, `lastResortKemPrekey` the last-resort KEM prekey; the lists are added to the
 * one-time pools. Each item is crypto's signed encoding, verified against the device key
 * (PREKEY_SIGNATURE_INVALID). Answer: `ok`.
 */
export const keysUploadFrame = frame('keys.upload', {
  id: requestId,
  signedPrekey: optional(ecPrekeyBytes),
  kemPrekeys: array(kemPrekeyBytes, { max: batch }),
  lastResortKemPrekey: optional(kemPrekeyBytes),
  oneTimePrekeys: array(ecPrekeyBytes, { max: batch }),
});

/** Client → server: how many one-time prekeys the authenticated device has left. */
export const keysCountFrame = frame('keys.count', { id: requestId });

/** Server → client: answer to `keys.count`. `oneTime` counts X25519, `kem` one-time ML-KEM prekeys. */
export const keysCountResultFrame = frame('keys.count.result', {
  id: requestId,
  oneTime: uint(),
  kem: uint(),
});

/** Client → server: fetch one prekey bundle per current device of `account`. */
export const keysBundlesFrame = frame('keys.bundles', { id: requestId, account: accountName });

/**
 * One device's bundle. `kemPrekey` is a one-time KEM prekey, or the last-resort one when the pool is
 * empty (`kemLastResort`); `oneTimePrekey` is absent when that pool is empty. Both one-time prekeys
 * are deleted from the server as the bundle is handed out.
 */
export const prekeyBundle = object({
  deviceId,
  certificate: certificateBytes,
  signedPrekey: ecPrekeyBytes,
  kemPrekey: kemPrekeyBytes,
  kemLastResort: bool(),
  oneTimePrekey: optional(ecPrekeyBytes),
});

/** One device's prekey bundle. */
export type PrekeyBundle = Infer<typeof prekeyBundle>;

/**
 * Server → client: answer to `keys.bundles`, with the identity key and signed device list so the
 * client verifies every certificate and prekey itself.
 */
export const keysBundlesResultFrame = frame('keys.bundles.result', {
  id: requestId,
  account: accountName,
  identityKey: identityKeyBytes,
  deviceList: deviceListBytes,
  bundles: array(prekeyBundle, { max: WIRE_BOUNDS.devicesPerAccount }),
});

/** Server → client push: the authenticated device's one-time prekey pools are below the low-water mark. */
export const keysLowFrame = frame('keys.low', { oneTime: uint(), kem: uint() });
