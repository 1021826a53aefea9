/**
 * Strict Ed25519 verification rules shared by every backend, so that a signature verifies on one backend
 * exactly when it verifies on the others (and on the server).
 *
 * RFC 8032 §5.1.7 leaves room for disagreement: implementations differ on non-canonical encodings, S >= L,
 * small-order points and cofactored vs. cofactorless equations (see "Taming the many EdDSAs",
 * Chalkias et al. 2020). Sotto's policy, checked here on the bytes (no point decompression, so it costs
 * microseconds) before any backend runs:
 * - A and R must be canonical encodings (y < p, and no "negative zero" x), else reject;
 * - S must be < L (rejects the S + L malleability), else reject;
 * - A and R must not be of small order, else reject;
 * - the equation is the cofactorless [S]B = R + [k]A (what OpenSSL, BoringSSL and libsodium check). The
 *   noble backend evaluates that equation itself (see {@link ed25519VerifyNoble}), because noble's
 *   `verify` checks the cofactored equation, which also accepts signatures whose A or R carries a
 *   torsion component that OpenSSL rejects.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { equalBytes, fromHex } from '../bytes.js';
import { SIZES } from '../provider.js';

const Point = ed25519.Point;

/** The order L of the Ed25519 prime-order subgroup (RFC 8032 §5.1). */
export const ED25519_L: bigint = Point.Fn.ORDER;

/** L as 32 little-endian bytes, for a constant-size comparison without BigInt. */
const L_BYTES = Uint8Array.from({ length: 32 }, (_, i) => Number((ED25519_L >> BigInt(8 * i)) & 0xffn));

/**
 * The canonical encodings of the eight points of order dividing 8 (the torsion subgroup E[8]): identity,
 * order 2, two of order 4, four of order 8. With non-canonical encodings already refused, these are all
 * the small-order encodings (a test rebuilds this list from noble's point arithmetic).
 */
const SMALL_ORDER_ENCODINGS = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
].map(fromHex);

/** Decodes 32 little-endian bytes as an integer. */
function leToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] as number);
  return n;
}

/** True when the little-endian integer `a` is less than `b` (both 32 bytes). */
function lessThan(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (x !== y) return x < y;
  }
  return false;
}

/**
 * RFC 8032 §5.1.3 canonical encoding: y < p = 2^255 - 19, and not "negative zero" (x = 0, which happens
 * for y = ±1, with the sign bit set). Public data, so early exits are fine.
 */
function isCanonical(enc: Uint8Array): boolean {
  let allOnes = ((enc[31] as number) & 0x7f) === 0x7f && (enc[0] as number) >= 0xed;
  for (let i = 1; i < 31 && allOnes; i++) allOnes = enc[i] === 0xff;
  if (allOnes) return false; // y >= p
  if ((enc[31] as number) >= 0x80) {
    // A copy: `slice` of a Node Buffer would be a view, and this would change the caller's bytes.
    const y = new Uint8Array(enc);
    y[31] = (y[31] as number) & 0x7f;
    if (equalBytes(y, SMALL_ORDER_ENCODINGS[0] as Uint8Array)) return false; // y = 1, x = -0
    if (equalBytes(y, SMALL_ORDER_ENCODINGS[1] as Uint8Array)) return false; // y = -1, x = -0
  }
  return true;
}

function isSmallOrderEncoding(enc: Uint8Array): boolean {
  return SMALL_ORDER_ENCODINGS.some((small) => equalBytes(small, enc));
}

/**
 * Applies Sotto's strict rules to a public key and signature without decoding points: lengths, canonical
 * A and R, S < L, A and R not of small order. Returns false when the input must be rejected (wrong types
 * included); true means "let the backend check the equation". Never throws. Encodings that are canonical
 * but not on the curve pass here and are refused by every backend when it decodes them.
 */
export function ed25519PreCheck(publicKey: unknown, signature: unknown): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== SIZES.ed25519PublicKey) return false;
  if (!(signature instanceof Uint8Array) || signature.length !== SIZES.ed25519Signature) return false;
  const R = signature.subarray(0, 32);
  // RFC 8032 §5.1.7: "check that 0 <= S < L"; S + L would be the classic malleability.
  if (!lessThan(signature.subarray(32, 64), L_BYTES)) return false;
  if (!isCanonical(publicKey) || !isCanonical(R)) return false;
  return !isSmallOrderEncoding(publicKey) && !isSmallOrderEncoding(R);
}

/**
 * Full strict verification in pure JS (noble point arithmetic): the pre-check, then the cofactorless
 * RFC 8032 §5.1.7 equation [S]B = R + [k]A with k = SHA-512(R || A || M) mod L. Never throws.
 */
export function ed25519VerifyNoble(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (!ed25519PreCheck(publicKey, signature) || !(message instanceof Uint8Array)) return false;
  try {
    const A = Point.fromBytes(publicKey, false);
    const R = Point.fromBytes(signature.subarray(0, 32), false);
    const S = leToBigInt(signature.subarray(32, 64));
    const digest = sha512
      .create()
      .update(signature.subarray(0, 32))
      .update(publicKey)
      .update(message)
      .digest();
    const k = leToBigInt(digest) % ED25519_L;
    const SB = S === 0n ? Point.ZERO : Point.BASE.multiplyUnsafe(S);
    const kA = k === 0n ? Point.ZERO : A.multiplyUnsafe(k);
    return SB.equals(R.add(kA));
  } catch {
    return false; // not on the curve
  }
}

function toLe32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0, v = n; i < 32; i++, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/**
 * Builds a signature that the cofactored equation accepts and the cofactorless one rejects: the public key
 * A' = [a]B + T carries a torsion component T of order 8, and S = r + k·a. Used to probe that a WebCrypto
 * implementation checks the cofactorless equation, and by tests. Public, deterministic, no secret.
 */
export function craftMixedOrderSignature(): {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
} {
  const T = Point.fromBytes(SMALL_ORDER_ENCODINGS[6] as Uint8Array);
  const a = 0x5077_0a11_ce5e_c4e7n;
  const r = 0x1234_5678_9abc_def0n;
  const publicKey = Point.BASE.multiply(a).add(T).toBytes();
  const R = Point.BASE.multiply(r).toBytes();
  for (let i = 0; ; i++) {
    const message = Uint8Array.of(i);
    const k = leToBigInt(sha512.create().update(R).update(publicKey).update(message).digest()) % ED25519_L;
    if (k % 8n === 0n) continue; // then [k]T = 0 and both equations agree
    const signature = new Uint8Array(64);
    signature.set(R);
    signature.set(toLe32((r + k * a) % ED25519_L), 32);
    return { publicKey, message, signature };
  }
}
