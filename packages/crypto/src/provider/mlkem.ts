/**
 * ML-KEM-768 (FIPS 203) for both backends, from `@noble/post-quantum`, with the FIPS 203 input checks made
 * explicit here so they hold whatever the library version does: §7.2 (encapsulation-key type and modulus
 * checks) and §7.3 (decapsulation-key type and hash checks, ciphertext type check).
 */
import { sha3_256 } from '@noble/hashes/sha3.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { abytes, equalBytes, wipe } from '../bytes.js';
import { SottoError } from '../errors.js';
import { type KemEncapsulation, type KeyPair, SIZES } from '../provider.js';

const Q = 3329;
/** 384·k bytes of ByteEncode12(t̂) open the encapsulation key (k = 3). */
const EK_POLY_BYTES = 384 * 3;
/** dk = dk_PKE (384k) || ek (384k + 32) || H(ek) (32) || z (32). */
const DK_EK_START = EK_POLY_BYTES;
const DK_HASH_START = DK_EK_START + SIZES.mlkem768PublicKey;

/**
 * FIPS 203 §7.2 modulus check: ByteEncode12(ByteDecode12(ek[0:384k])) = ek[0:384k], i.e. every 12-bit
 * coefficient is < q. Reads public data only.
 */
export function mlkemEncapsulationKeyIsReduced(publicKey: Uint8Array): boolean {
  for (let i = 0; i + 3 <= EK_POLY_BYTES; i += 3) {
    const b0 = publicKey[i] as number;
    const b1 = publicKey[i + 1] as number;
    const b2 = publicKey[i + 2] as number;
    if ((b0 | ((b1 & 0x0f) << 8)) >= Q || ((b1 >> 4) | (b2 << 4)) >= Q) return false;
  }
  return true;
}

/** FIPS 203 §7.3 hash check: H(dk[384k : 768k + 32]) = dk[768k + 32 : 768k + 64]. */
function decapsulationKeyHashMatches(secretKey: Uint8Array): boolean {
  const h = sha3_256(secretKey.subarray(DK_EK_START, DK_HASH_START));
  return equalBytes(h, secretKey.subarray(DK_HASH_START, DK_HASH_START + 32));
}

/** ML-KEM-768 KeyGen (FIPS 203 Alg. 19); deterministic from a 64-byte seed d || z. */
export function mlkem768Generate(seed: Uint8Array | undefined, random: (n: number) => Uint8Array): KeyPair {
  const s = seed === undefined ? random(SIZES.mlkem768Seed) : abytes(seed, SIZES.mlkem768Seed, 'ml-kem seed');
  try {
    const { publicKey, secretKey } = ml_kem768.keygen(s);
    return { publicKey, secretKey };
  } finally {
    if (seed === undefined) wipe(s);
  }
}

/**
 * ML-KEM-768 Encaps (FIPS 203 Alg. 20) after the §7.2 checks: wrong length → INVALID_ARGUMENT, a
 * coefficient ≥ q → INVALID_PUBLIC_KEY. `randomness` (32 bytes) makes it deterministic, for tests.
 */
export function mlkem768Encapsulate(
  publicKey: Uint8Array,
  randomness: Uint8Array | undefined,
  random: (n: number) => Uint8Array,
): KemEncapsulation {
  abytes(publicKey, SIZES.mlkem768PublicKey, 'ml-kem encapsulation key');
  if (!mlkemEncapsulationKeyIsReduced(publicKey)) {
    throw new SottoError('INVALID_PUBLIC_KEY', 'ml-kem encapsulation key failed the FIPS 203 modulus check');
  }
  const m = randomness === undefined ? random(32) : abytes(randomness, 32, 'ml-kem randomness');
  try {
    const { cipherText, sharedSecret } = ml_kem768.encapsulate(publicKey, m);
    const out = sharedSecret.slice();
    wipe(sharedSecret);
    return { ciphertext: cipherText, sharedSecret: out };
  } finally {
    if (randomness === undefined) wipe(m);
  }
}

/**
 * ML-KEM-768 Decaps (FIPS 203 Alg. 21) after the §7.3 checks: wrong ciphertext or key length, or a key
 * whose embedded H(ek) does not match → INVALID_ARGUMENT. A wrong ciphertext of the right length is not
 * an error: implicit rejection returns a pseudorandom secret (FIPS 203 §6.3).
 */
export function mlkem768Decapsulate(ciphertext: Uint8Array, secretKey: Uint8Array): Uint8Array {
  abytes(ciphertext, SIZES.mlkem768Ciphertext, 'ml-kem ciphertext');
  abytes(secretKey, SIZES.mlkem768SecretKey, 'ml-kem decapsulation key');
  if (!decapsulationKeyHashMatches(secretKey)) {
    throw new SottoError('INVALID_ARGUMENT', 'ml-kem decapsulation key failed the FIPS 203 hash check');
  }
  return ml_kem768.decapsulate(ciphertext, secretKey);
}
