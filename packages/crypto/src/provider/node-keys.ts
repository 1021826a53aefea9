/**
 * node:crypto KeyObjects from raw 32-byte X25519 / Ed25519 keys (RFC 7748, RFC 8032), and back. Built per
 * call and never cached. Key bytes pass through a base64url string on the fast path; JS strings cannot be
 * wiped, which is the same best-effort hygiene as any JS heap copy (see `wipe` in bytes.ts).
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { wipe } from '../bytes.js';
import { SottoError } from '../errors.js';
import { own } from './checks.js';
import { DER_PREFIX as DER, derWrap as wrap } from './der.js';

/** The two RFC 8037 OKP curves Sotto uses. */
export type OkpCurve = 'X25519' | 'Ed25519';

const PKCS8_PREFIX: Record<OkpCurve, Uint8Array> = { X25519: DER.x25519Pkcs8, Ed25519: DER.ed25519Pkcs8 };

const base64url = (raw: Uint8Array) =>
  Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url');

/** False once this Node has refused the JWK fast path; then PKCS#8 DER is used (correct, ~7× slower). */
let jwkPrivateImport = true;

/**
 * A private KeyObject from a raw 32-byte key. Node builds OKP JWK private keys from `d` alone
 * (EVP_PKEY_new_raw_private_key), about 7× faster than OpenSSL 3's PKCS#8 decoder; it requires `x` to be a
 * string but does not use it, so we pass none rather than derive it. The differential and Wycheproof tests
 * pin the resulting keys; should a future Node check `x`, the PKCS#8 path takes over. `allowJwk: false`
 * forces the PKCS#8 path (tests compare the two).
 */
export function privateKey(curve: OkpCurve, raw: Uint8Array, allowJwk = true): KeyObject {
  if (jwkPrivateImport && allowJwk) {
    try {
      return createPrivateKey({ key: { kty: 'OKP', crv: curve, d: base64url(raw), x: '' }, format: 'jwk' });
    } catch {
      jwkPrivateImport = false;
    }
  }
  const der = wrap(PKCS8_PREFIX[curve], raw);
  try {
    return createPrivateKey({ key: der as Buffer, format: 'der', type: 'pkcs8' });
  } finally {
    wipe(der);
  }
}

/** A public KeyObject from a raw 32-byte key (RFC 8037 OKP JWK; Node imports the raw bytes as given). */
export function publicKey(curve: OkpCurve, raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: curve, x: base64url(raw) }, format: 'jwk' });
}

/** The raw 32-byte public key of a private KeyObject (JWK export is much cheaper than SPKI DER here). */
export function rawPublic(key: KeyObject): Uint8Array {
  const { x } = createPublicKey(key).export({ format: 'jwk' });
  if (typeof x !== 'string') throw new SottoError('CRYPTO_UNAVAILABLE', 'public key export failed');
  return own(Buffer.from(x, 'base64url'));
}
