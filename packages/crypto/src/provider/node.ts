/**
 * The `node` backend: node:crypto (OpenSSL) for X25519, Ed25519, AES-256-GCM, HMAC, HKDF and SHA-2;
 * ML-KEM-768 and Argon2id from noble (shared with the portable backend); strict Ed25519 rules shared too.
 *
 * Hot paths (HMAC with 32-byte keys, AES-GCM of a few hundred bytes) make one native call each and copy
 * the output once into a plain Uint8Array, so no Buffer from Node's shared pool escapes. Nothing is cached
 * across calls: every KeyObject is built from the caller's bytes and dropped.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  diffieHellman,
  hash,
  hkdfSync,
  sign,
  verify,
} from 'node:crypto';
import { abytes, isAllZero, wipe } from '../bytes.js';
import { SottoError } from '../errors.js';
import { type CryptoProvider, type KeyPair, SIZES } from '../provider.js';
import { argon2id } from './argon2.js';
import { checkAesGcm, checkHkdf, checkSealedLength, checkX25519, own } from './checks.js';
import { ed25519PreCheck } from './ed25519-strict.js';
import { wrapHasher } from './hasher.js';
import { mlkem768Decapsulate, mlkem768Encapsulate, mlkem768Generate } from './mlkem.js';
import { privateKey, publicKey, rawPublic } from './node-keys.js';
import { randomBytes } from './random.js';

/** Node's hkdfSync refuses info longer than this; longer infos go through the HMAC construction. */
const NODE_HKDF_MAX_INFO = 1024;

/** RFC 5869 HKDF-SHA-256 from HMAC, for the inputs node's hkdfSync refuses (info > 1024 bytes). */
function hkdfViaHmac(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const prk = createHmac('sha256', salt.length === 0 ? new Uint8Array(32) : salt)
    .update(ikm)
    .digest();
  const out = new Uint8Array(length);
  let block: Uint8Array = new Uint8Array(0);
  for (let i = 1, offset = 0; offset < length; i++, offset += 32) {
    // RFC 5869 §2.3: T(i) = HMAC(PRK, T(i-1) || info || i)
    const next = createHmac('sha256', prk).update(block).update(info).update(Uint8Array.of(i)).digest();
    wipe(block);
    block = next;
    out.set(block.subarray(0, Math.min(32, length - offset)), offset);
  }
  wipe(prk);
  wipe(block);
  return out;
}

function x25519Public(secretKey: Uint8Array): Uint8Array {
  return rawPublic(privateKey('X25519', secretKey));
}

function ed25519Public(seed: Uint8Array): Uint8Array {
  return rawPublic(privateKey('Ed25519', seed));
}

/**
 * Creates the node:crypto backend. Synchronous work behind async methods; safe to share, it holds no state.
 * Every method validates lengths first (INVALID_ARGUMENT) and never puts key bytes or plaintext in errors.
 */
export function createNodeProvider(): CryptoProvider {
  const provider: CryptoProvider = {
    name: 'node',
    detail: Object.freeze({
      random: 'webcrypto-getRandomValues',
      sha2: 'node',
      sha256Incremental: 'node',
      hmac: 'node',
      hkdf: 'node',
      aesGcm: 'node',
      x25519: 'node',
      ed25519: 'node+strict-precheck',
      mlkem768: 'noble',
      argon2id: 'noble',
    }),

    randomBytes,

    async sha256(data) {
      abytes(data, undefined, 'sha256 data');
      return own(hash('sha256', data, 'buffer'));
    },

    async sha512(data) {
      abytes(data, undefined, 'sha512 data');
      return own(hash('sha512', data, 'buffer'));
    },

    createSha256() {
      return wrapHasher(createHash('sha256'), (h) => h.copy());
    },

    async hmacSha256(key, data) {
      abytes(key, undefined, 'hmac key');
      abytes(data, undefined, 'hmac data');
      return own(createHmac('sha256', key).update(data).digest());
    },

    async hkdfSha256(ikm, salt, info, length) {
      checkHkdf(ikm, salt, info, length);
      if (info.length > NODE_HKDF_MAX_INFO) return hkdfViaHmac(ikm, salt, info, length);
      // RFC 5869 §2.2: an empty salt means HashLen zero bytes; HMAC pads keys with zeros, so OpenSSL's
      // empty-salt result is the same. hkdfSync returns an ArrayBuffer we own outright.
      return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
    },

    async aes256GcmSeal(key, nonce, plaintext, aad) {
      checkAesGcm(key, nonce, plaintext, aad);
      const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: SIZES.aesTag });
      cipher.setAAD(aad);
      const out = new Uint8Array(plaintext.length + SIZES.aesTag);
      const body = cipher.update(plaintext);
      out.set(body);
      const rest = cipher.final();
      out.set(rest, body.length);
      out.set(cipher.getAuthTag(), plaintext.length);
      return out;
    },

    async aes256GcmOpen(key, nonce, sealed, aad) {
      checkAesGcm(key, nonce, sealed, aad);
      checkSealedLength(sealed);
      const split = sealed.length - SIZES.aesTag;
      const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: SIZES.aesTag });
      decipher.setAAD(aad);
      decipher.setAuthTag(sealed.subarray(split));
      const out = new Uint8Array(split);
      const body = decipher.update(sealed.subarray(0, split));
      out.set(body);
      wipe(body);
      try {
        out.set(decipher.final(), body.length);
      } catch (cause) {
        wipe(out);
        throw new SottoError('AUTH_FAILED', undefined, { cause });
      }
      return out;
    },

    async x25519Generate(): Promise<KeyPair> {
      const secretKey = randomBytes(SIZES.x25519SecretKey);
      return { publicKey: x25519Public(secretKey), secretKey };
    },

    async x25519PublicKey(secretKey) {
      checkX25519(secretKey);
      return x25519Public(secretKey);
    },

    async x25519(secretKey, peerPublicKey) {
      checkX25519(secretKey, peerPublicKey);
      const pub = publicKey('X25519', peerPublicKey);
      let shared: Uint8Array;
      try {
        shared = own(diffieHellman({ privateKey: privateKey('X25519', secretKey), publicKey: pub }));
      } catch (cause) {
        // OpenSSL fails the derivation exactly when the RFC 7748 §6.1 result is all zero.
        throw new SottoError('ZERO_SHARED_SECRET', undefined, { cause });
      }
      if (isAllZero(shared)) throw new SottoError('ZERO_SHARED_SECRET');
      return shared;
    },

    async ed25519Generate(): Promise<KeyPair> {
      const secretKey = randomBytes(SIZES.ed25519Seed);
      return { publicKey: ed25519Public(secretKey), secretKey };
    },

    async ed25519PublicKey(seed) {
      abytes(seed, SIZES.ed25519Seed, 'ed25519 seed');
      return ed25519Public(seed);
    },

    async ed25519Sign(seed, message) {
      abytes(seed, SIZES.ed25519Seed, 'ed25519 seed');
      abytes(message, undefined, 'ed25519 message');
      return own(sign(null, message, privateKey('Ed25519', seed)));
    },

    async ed25519Verify(pk, message, signature) {
      // Strict rules first (shared with every backend); OpenSSL then checks the cofactorless equation.
      if (!ed25519PreCheck(pk, signature) || !(message instanceof Uint8Array)) return false;
      try {
        return verify(null, message, publicKey('Ed25519', pk), signature);
      } catch {
        return false;
      }
    },

    async mlkem768Generate(seed) {
      return mlkem768Generate(seed, randomBytes);
    },

    async mlkem768Encapsulate(pk, randomness) {
      return mlkem768Encapsulate(pk, randomness, randomBytes);
    },

    async mlkem768Decapsulate(ciphertext, secretKey) {
      return mlkem768Decapsulate(ciphertext, secretKey);
    },

    argon2id,
  };
  return Object.freeze(provider);
}
