/**
 * Policy checks on ML-KEM-768 encapsulation keys from outside, beyond FIPS 203 §7.2: Sotto refuses a
 * degenerate key the way it refuses a low-order X25519 key (ADR 0003). An encapsulation key is
 * ek = ByteEncode12(t̂) ‖ ρ. With t̂ = 0 (or nearly so) the ciphertext's second part carries the message
 * almost in the clear (v = e₂ + Decompress₁(m) when t = 0), so anyone reading the handshake recovers the
 * shared secret. FIPS 203 accepts such keys (Wycheproof's "zero secret and error" vector is valid), so this
 * check lives here, at the protocol layer, not in the provider.
 *
 * An honest KeyGen makes t̂ uniform mod q and ρ a hash output: among t̂'s 768 coefficients about 686
 * distinct values and 0.23 zeros are expected, and ρ has about 30 distinct bytes. The thresholds below
 * are far from those (an honest key fails them with probability well under 2⁻¹²⁸); they only catch keys
 * that were made, not generated.
 */

import { abytes } from '../bytes.js';
import { SottoError } from '../errors.js';
import { mlkemEncapsulationKeyIsReduced } from '../provider/mlkem.js';
import { SIZES } from '../provider.js';

const T_BYTES = 1152;
/** Fewest distinct values among t̂'s coefficients. */
const MIN_DISTINCT = 256;
/** Most zero coefficients in t̂. */
const MAX_ZEROS = 32;
/** Fewest distinct byte values in ρ. */
const MIN_RHO_DISTINCT = 8;

/**
 * Throws INVALID_PUBLIC_KEY when `key` is not a well-formed, non-degenerate ML-KEM-768 encapsulation key:
 * wrong length (INVALID_ARGUMENT), a coefficient ≥ q (FIPS 203 §7.2), or a degenerate t̂ or ρ (see above).
 * Reads public data only.
 */
export function checkMlKemPublicKey(key: Uint8Array, what: string): Uint8Array {
  abytes(key, SIZES.mlkem768PublicKey, what);
  if (!mlkemEncapsulationKeyIsReduced(key)) {
    throw new SottoError('INVALID_PUBLIC_KEY', `${what}: ML-KEM key failed the FIPS 203 modulus check`);
  }
  const seen = new Uint8Array(3329);
  let distinct = 0;
  let zeros = 0;
  const count = (c: number) => {
    if (c === 0) zeros++;
    if (seen[c] === 0) {
      seen[c] = 1;
      distinct++;
    }
  };
  for (let i = 0; i < T_BYTES; i += 3) {
    const b0 = key[i] as number;
    const b1 = key[i + 1] as number;
    const b2 = key[i + 2] as number;
    count(b0 | ((b1 & 0x0f) << 8));
    count((b1 >> 4) | (b2 << 4));
  }
  const rho = new Set(key.subarray(T_BYTES));
  if (distinct < MIN_DISTINCT || zeros > MAX_ZEROS || rho.size < MIN_RHO_DISTINCT) {
    throw new SottoError('INVALID_PUBLIC_KEY', `${what}: degenerate ML-KEM key`);
  }
  return key;
}
