/**
 * The message a device signs to authenticate a WebSocket connection. Binding the nonce (freshness),
 * the account and device (no re-use for another identity) and the server origin (no relaying a
 * challenge from one server to another) under a distinct label (no cross-protocol signature use).
 */

import { ByteWriter, LABELS, SottoError } from '@sotto/crypto';
import { isAccountName } from './names.js';

/**
 * Signature context of connection authentication. It is distinct from every label in
 * `@sotto/crypto`'s LABELS (which should list it too once the crypto owners add it).
 */
export const AUTH_CHALLENGE_LABEL: string = LABELS.wireAuthChallenge;

/** The fields bound by a connection-authentication signature. */
export interface AuthChallengeFields {
  /** The 32-byte nonce from the server's `challenge` frame. */
  readonly nonce: Uint8Array;
  /** The authenticating account (normalized name). */
  readonly account: string;
  /** The authenticating device. */
  readonly deviceId: number;
  /** The server's origin as the client reached it, e.g. `https://chat.example.org` (no trailing slash). */
  readonly origin: string;
}

/**
 * Builds the bytes to sign: `label ‖ nonce ‖ account ‖ deviceId ‖ origin`, with u16 length prefixes
 * on strings, a u32 prefix on the nonce and a big-endian u32 device id.
 * @throws SottoError INVALID_ARGUMENT when a field is out of range.
 */
export function authChallengeMessage(f: AuthChallengeFields): Uint8Array {
  if (!(f.nonce instanceof Uint8Array) || f.nonce.length !== 32) {
    throw new SottoError('INVALID_ARGUMENT', 'auth challenge: nonce must be 32 bytes');
  }
  if (!isAccountName(f.account)) throw new SottoError('INVALID_ARGUMENT', 'auth challenge: invalid account');
  if (typeof f.origin !== 'string' || f.origin.length === 0 || f.origin.length > 512) {
    throw new SottoError('INVALID_ARGUMENT', 'auth challenge: invalid origin');
  }
  return new ByteWriter(128)
    .string(AUTH_CHALLENGE_LABEL)
    .bytes(f.nonce)
    .string(f.account)
    .u32(f.deviceId)
    .string(f.origin)
    .finish();
}
