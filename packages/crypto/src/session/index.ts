/**
 * session/: end-to-end 1:1 sessions between two devices — the PQXDH handshake (X25519 + ML-KEM-768) and
 * the Double Ratchet, with bucket padding and versioned state. See docs/crypto.md "Sessions".
 */

export { type AcceptOptions, type AcceptResult, acceptPrekeyMessage, type PrekeySecrets } from './accept.js';
export { decodeSessionState, encodeSessionState } from './codec.js';
export { type InitiateOptions, type InitiateResult, initiateSession } from './initiate.js';
export { SESSION_LIMITS } from './limits.js';
export type { LocalDevice } from './local.js';
export { isPaddedSize, paddedSize, padPlaintext, unpadPlaintext } from './padding.js';
export type { Party } from './party.js';
export type { DecryptResult, EncryptResult } from './ratchet.js';
export { decryptMessage, encryptMessage } from './session.js';
export {
  type ChainState,
  SESSION_STATE_VERSION,
  type SessionRole,
  type SessionState,
  type SkippedKey,
} from './state.js';
export { messageKind } from './wire.js';
