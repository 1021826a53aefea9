/**
 * The `portable` backend: WebCrypto for each family the runtime supports (probed once at creation), noble
 * for the rest; ML-KEM-768 and Argon2id from noble, and the strict Ed25519 rules shared with `node`.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { abytes, equalBytes } from '../bytes.js';
import { SottoError } from '../errors.js';
import { type CryptoProvider, type KeyPair, SIZES } from '../provider.js';
import { argon2id } from './argon2.js';
import { checkAesGcm, checkHkdf, checkSealedLength, checkX25519 } from './checks.js';
import { craftMixedOrderSignature, ed25519PreCheck } from './ed25519-strict.js';
import { FAMILY_NAMES, type FamilyName, type PrimitiveFamilies } from './families.js';
import { wrapHasher } from './hasher.js';
import { mlkem768Decapsulate, mlkem768Encapsulate, mlkem768Generate } from './mlkem.js';
import { nobleFamilies } from './noble.js';
import { randomBytes } from './random.js';
import { webCryptoFamilies } from './webcrypto.js';

/** Options of {@link createPortableProvider}. */
export interface PortableProviderOptions {
  /** The WebCrypto to use; `globalThis.crypto.subtle` when omitted; `null` forces the all-noble path. */
  readonly subtle?: SubtleCrypto | null;
}

const fill = (n: number, start: number) => Uint8Array.from({ length: n }, (_, i) => (start + i * 7) & 0xff);

async function same(a: Promise<Uint8Array>, b: Promise<Uint8Array>): Promise<boolean> {
  const [x, y] = await Promise.all([a, b]);
  return equalBytes(x, y);
}

async function rejectsWith(
  p: Promise<unknown>,
  code: 'ZERO_SHARED_SECRET' | 'AUTH_FAILED',
): Promise<boolean> {
  return p.then(
    () => false,
    (err: unknown) => SottoError.is(err, code),
  );
}

/**
 * Probes one family: the WebCrypto result must equal noble's on fixed inputs, and the edge behaviours Sotto
 * relies on must hold (zero X25519 secret rejected, tampered tag rejected, cofactorless Ed25519 equation).
 * Any exception means "unsupported".
 */
async function probe(name: FamilyName, web: PrimitiveFamilies, noble: PrimitiveFamilies): Promise<boolean> {
  const key = fill(32, 1);
  const data = fill(45, 3);
  try {
    switch (name) {
      case 'sha2':
        return (
          (await same(web.sha2.sha256(data), noble.sha2.sha256(data))) &&
          (await same(web.sha2.sha512(data), noble.sha2.sha512(data)))
        );
      case 'hmac':
        return same(web.hmac.hmacSha256(key, data), noble.hmac.hmacSha256(key, data));
      case 'hkdf':
        return same(web.hkdf.hkdfSha256(key, data, data, 77), noble.hkdf.hkdfSha256(key, data, data, 77));
      case 'aesGcm': {
        const nonce = fill(12, 9);
        const sealed = await web.aesGcm.seal(key, nonce, data, key);
        if (!equalBytes(sealed, await noble.aesGcm.seal(key, nonce, data, key))) return false;
        if (!equalBytes(await web.aesGcm.open(key, nonce, sealed, key), data)) return false;
        sealed[0] = (sealed[0] as number) ^ 1;
        return rejectsWith(web.aesGcm.open(key, nonce, sealed, key), 'AUTH_FAILED');
      }
      case 'x25519': {
        const peer = await noble.x25519.publicKey(data.subarray(0, 32));
        return (
          (await same(web.x25519.publicKey(key), noble.x25519.publicKey(key))) &&
          (await same(web.x25519.sharedSecret(key, peer), noble.x25519.sharedSecret(key, peer))) &&
          (await rejectsWith(web.x25519.sharedSecret(key, new Uint8Array(32)), 'ZERO_SHARED_SECRET'))
        );
      }
      case 'ed25519': {
        const pub = await noble.ed25519.publicKey(key);
        const sig = await noble.ed25519.sign(key, data);
        const mixed = craftMixedOrderSignature();
        return (
          equalBytes(await web.ed25519.publicKey(key), pub) &&
          equalBytes(await web.ed25519.sign(key, data), sig) &&
          (await web.ed25519.verify(pub, data, sig)) &&
          // RFC 8032 §5.1.7 allows either equation; Sotto needs the cofactorless one everywhere.
          !(await web.ed25519.verify(mixed.publicKey, mixed.message, mixed.signature))
        );
      }
    }
  } catch {
    return false;
  }
}

/** Picks WebCrypto or noble per family; returns the chosen families and the `detail` map. */
async function assemble(subtle: SubtleCrypto | null): Promise<{
  families: PrimitiveFamilies;
  detail: Record<string, string>;
}> {
  const detail: Record<string, string> = {};
  if (subtle === null) {
    for (const name of FAMILY_NAMES) detail[name] = 'noble';
    return { families: nobleFamilies, detail };
  }
  const web = webCryptoFamilies(subtle);
  const chosen = await Promise.all(FAMILY_NAMES.map((name) => probe(name, web, nobleFamilies)));
  const pick = <K extends FamilyName>(name: K, i: number): PrimitiveFamilies[K] => {
    detail[name] = chosen[i] === true ? 'webcrypto' : 'noble';
    return chosen[i] === true ? web[name] : nobleFamilies[name];
  };
  const families: PrimitiveFamilies = {
    sha2: pick('sha2', 0),
    hmac: pick('hmac', 1),
    hkdf: pick('hkdf', 2),
    aesGcm: pick('aesGcm', 3),
    x25519: pick('x25519', 4),
    ed25519: pick('ed25519', 5),
  };
  return { families, detail };
}

/**
 * Creates the portable backend. Probes WebCrypto once per primitive family (SHA-2, HMAC, HKDF, AES-GCM,
 * X25519, Ed25519) and falls back to noble for each family it lacks; `detail` says which serves each
 * (plus `mlkem768`, `argon2id` and the incremental `sha256Incremental`: always noble). Inputs are checked exactly as in the node backend.
 */
export async function createPortableProvider(options: PortableProviderOptions = {}): Promise<CryptoProvider> {
  const subtle = options.subtle === undefined ? (globalThis.crypto?.subtle ?? null) : options.subtle;
  const { families: f, detail } = await assemble(subtle);
  detail.random = 'webcrypto-getRandomValues';
  detail.mlkem768 = 'noble';
  detail.argon2id = 'noble';
  // WebCrypto digests whole buffers only; an incremental hash is noble's everywhere.
  detail.sha256Incremental = 'noble';

  const provider: CryptoProvider = {
    name: 'portable',
    detail: Object.freeze(detail),
    randomBytes,

    async sha256(data) {
      return f.sha2.sha256(abytes(data, undefined, 'sha256 data'));
    },
    async sha512(data) {
      return f.sha2.sha512(abytes(data, undefined, 'sha512 data'));
    },
    createSha256() {
      return wrapHasher(sha256.create(), (h) => h.clone());
    },
    async hmacSha256(key, data) {
      return f.hmac.hmacSha256(abytes(key, undefined, 'hmac key'), abytes(data, undefined, 'hmac data'));
    },
    async hkdfSha256(ikm, salt, info, length) {
      checkHkdf(ikm, salt, info, length);
      return f.hkdf.hkdfSha256(ikm, salt, info, length);
    },
    async aes256GcmSeal(key, nonce, plaintext, aad) {
      checkAesGcm(key, nonce, plaintext, aad);
      return f.aesGcm.seal(key, nonce, plaintext, aad);
    },
    async aes256GcmOpen(key, nonce, sealed, aad) {
      checkAesGcm(key, nonce, sealed, aad);
      checkSealedLength(sealed);
      return f.aesGcm.open(key, nonce, sealed, aad);
    },

    async x25519Generate(): Promise<KeyPair> {
      const secretKey = randomBytes(SIZES.x25519SecretKey);
      return { publicKey: await f.x25519.publicKey(secretKey), secretKey };
    },
    async x25519PublicKey(secretKey) {
      checkX25519(secretKey);
      return f.x25519.publicKey(secretKey);
    },
    async x25519(secretKey, publicKey) {
      checkX25519(secretKey, publicKey);
      return f.x25519.sharedSecret(secretKey, publicKey);
    },

    async ed25519Generate(): Promise<KeyPair> {
      const secretKey = randomBytes(SIZES.ed25519Seed);
      return { publicKey: await f.ed25519.publicKey(secretKey), secretKey };
    },
    async ed25519PublicKey(seed) {
      return f.ed25519.publicKey(abytes(seed, SIZES.ed25519Seed, 'ed25519 seed'));
    },
    async ed25519Sign(seed, message) {
      abytes(seed, SIZES.ed25519Seed, 'ed25519 seed');
      return f.ed25519.sign(seed, abytes(message, undefined, 'ed25519 message'));
    },
    async ed25519Verify(publicKey, message, signature) {
      if (!ed25519PreCheck(publicKey, signature) || !(message instanceof Uint8Array)) return false;
      return f.ed25519.verify(publicKey, message, signature);
    },

    async mlkem768Generate(seed) {
      return mlkem768Generate(seed, randomBytes);
    },
    async mlkem768Encapsulate(publicKey, randomness) {
      return mlkem768Encapsulate(publicKey, randomness, randomBytes);
    },
    async mlkem768Decapsulate(ciphertext, secretKey) {
      return mlkem768Decapsulate(ciphertext, secretKey);
    },

    argon2id,
  };
  return Object.freeze(provider);
}
