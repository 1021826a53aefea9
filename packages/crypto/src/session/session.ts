/**
 * Encrypting and decrypting in an established session: the everyday API over the ratchet.
 */

import { equalBytes } from '../bytes.js';
import { SottoError } from '../errors.js';
import type { CryptoProvider } from '../provider.js';
import { type DecryptResult, type EncryptResult, ratchetDecrypt, ratchetEncrypt } from './ratchet.js';
import type { SessionState } from './state.js';
import { parseMessage } from './wire.js';

/**
 * Encrypts `plaintext` (padded to its size bucket) for the session's remote device. Returns the new state
 * to keep and the ciphertext: a prekey message until the remote device has replied, a message after.
 * Throws INVALID_ARGUMENT for a plaintext over 1 MiB - 1 byte.
 */
export function encryptMessage(
  p: CryptoProvider,
  state: SessionState,
  plaintext: Uint8Array,
): Promise<EncryptResult> {
  return ratchetEncrypt(p, state, plaintext);
}

/**
 * Decrypts a ciphertext from the session's remote device (`state.remote`). Returns the new state and the
 * plaintext; on any error `state` stays valid and unchanged. A prekey message is accepted here only when it
 * carries this session's own handshake (the initiator repeats it until it hears back); a new handshake is
 * SESSION_NOT_FOUND (use `acceptPrekeyMessage`), a replay of a retired one DUPLICATE_MESSAGE.
 *
 * Throws WRONG_MESSAGE_KIND, UNSUPPORTED_VERSION, MALFORMED_ENCODING, AUTH_FAILED, DUPLICATE_MESSAGE,
 * TOO_MANY_SKIPPED, INVALID_PUBLIC_KEY or SESSION_NOT_FOUND.
 */
export async function decryptMessage(
  p: CryptoProvider,
  state: SessionState,
  ciphertext: Uint8Array,
): Promise<DecryptResult> {
  const message = parseMessage(ciphertext);
  const handshake = message.handshake;
  if (handshake !== undefined) {
    const ours = equalBytes(handshake.baseKey, state.baseKey);
    if (ours && state.role === 'initiator') throw new SottoError('AUTH_FAILED', 'prekey message: reflected');
    if (!ours) {
      if (state.retiredBaseKeys.some((k) => equalBytes(k, handshake.baseKey))) {
        throw new SottoError('DUPLICATE_MESSAGE', 'prekey message: handshake already accepted');
      }
      throw new SottoError('SESSION_NOT_FOUND', 'prekey message of another handshake');
    }
  }
  return ratchetDecrypt(p, state, message);
}
