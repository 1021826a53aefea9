/**
 * Fixed DER prefixes that wrap a raw 32-byte X25519 / Ed25519 private key as PKCS#8 (RFC 8410 §7,
 * OIDs 1.3.101.110 and 1.3.101.112), for node:crypto's fallback import path and WebCrypto `pkcs8` imports.
 */
import { fromHex } from '../bytes.js';

/**
 * SEQUENCE { INTEGER 0, SEQUENCE { OID }, OCTET STRING { OCTET STRING (32 bytes) } }; each prefix is
 * followed by exactly 32 key bytes.
 */
export const DER_PREFIX = {
  x25519Pkcs8: fromHex('302e020100300506032b656e04220420'),
  ed25519Pkcs8: fromHex('302e020100300506032b657004220420'),
} as const;

/** prefix || raw in a new buffer. Callers wrapping a secret key wipe the result after import. */
export function derWrap(prefix: Uint8Array, raw: Uint8Array): Uint8Array<ArrayBuffer> {
  const der = new Uint8Array(prefix.length + raw.length);
  der.set(prefix);
  der.set(raw, prefix.length);
  return der;
}
