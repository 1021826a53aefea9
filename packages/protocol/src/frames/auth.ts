/**
 * Connection authentication: the server sends `challenge` on connect; the device answers `auth` with
 * a signature over {@link authChallengeMessage}; the server answers `ok` or an error
 * (AUTH_CHALLENGE_FAILED, UNAUTHENTICATED, DEVICE_NOT_FOUND).
 */

import { accountName } from '../names.js';
import { frame } from '../schema/object.js';
import { bytes } from '../schema/primitives.js';
import { deviceId, requestId, timestampMs } from './common.js';

/** Length of a challenge nonce. */
export const CHALLENGE_NONCE_BYTES = 32;
/** Length of an Ed25519 signature. */
export const SIGNATURE_BYTES = 64;

/** Server → client, first frame of every connection: a fresh random nonce and the server clock. */
export const challengeFrame = frame('challenge', {
  nonce: bytes({ length: CHALLENGE_NONCE_BYTES }),
  serverTime: timestampMs,
});

/** Client → server: the device key's signature over {@link authChallengeMessage}. */
export const authFrame = frame('auth', {
  id: requestId,
  account: accountName,
  deviceId,
  signature: bytes({ length: SIGNATURE_BYTES }),
});
