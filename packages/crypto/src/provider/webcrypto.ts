/**
 * The WebCrypto implementations of the portable backend's families. Where WebCrypto refuses an input that
 * the contract allows (a zero-length HMAC key, an HKDF info over 1,024 bytes on OpenSSL-backed runtimes),
 * that one call is served by noble instead, so results never depend on the runtime.
 */
import { isAllZero } from '../bytes.js';
import { SottoError } from '../errors.js';
import { DER_PREFIX, derWrap } from './der.js';
import type { PrimitiveFamilies } from './families.js';
import { nobleFamilies } from './noble.js';

/** Some runtimes (Node's OpenSSL) cap HKDF info at 1,024 bytes; longer infos go to noble. */
const WEBCRYPTO_HKDF_MAX_INFO = 1024;

/** The X25519 base point u = 9 (RFC 7748 §4.1): X25519(k, 9) is the public key. */
const X25519_BASE = Uint8Array.of(9, ...new Uint8Array(31));

/** A view WebCrypto accepts (its typings want ArrayBuffer-backed views). */
function bs(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>;
}

function base64UrlDecode(text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function importPkcs8(
  subtle: SubtleCrypto,
  prefix: Uint8Array,
  raw: Uint8Array,
  algorithm: 'X25519' | 'Ed25519',
  usages: KeyUsage[],
  extractable = false,
): Promise<CryptoKey> {
  const der = derWrap(prefix, raw);
  try {
    return await subtle.importKey('pkcs8', der, { name: algorithm }, extractable, usages);
  } finally {
    der.fill(0);
  }
}

/** Builds the WebCrypto families over `subtle`. Nothing is cached: keys are imported per call. */
export function webCryptoFamilies(subtle: SubtleCrypto): PrimitiveFamilies {
  const x25519Derive = async (secretKey: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array> => {
    const priv = await importPkcs8(subtle, DER_PREFIX.x25519Pkcs8, secretKey, 'X25519', ['deriveBits']);
    let pub: CryptoKey;
    try {
      pub = await subtle.importKey('raw', bs(publicKey), { name: 'X25519' }, true, []);
    } catch {
      // RFC 7748 §5 accepts every 32-byte string; a runtime that refuses one must not change the result.
      return nobleFamilies.x25519.sharedSecret(secretKey, publicKey);
    }
    let shared: Uint8Array;
    try {
      shared = new Uint8Array(await subtle.deriveBits({ name: 'X25519', public: pub }, priv, 256));
    } catch (cause) {
      // WebCrypto fails the derivation when the result is all zero (a low-order public key).
      throw new SottoError('ZERO_SHARED_SECRET', undefined, { cause });
    }
    if (isAllZero(shared)) throw new SottoError('ZERO_SHARED_SECRET'); // for runtimes that return it
    return shared;
  };

  return {
    sha2: {
      sha256: async (data) => new Uint8Array(await subtle.digest('SHA-256', bs(data))),
      sha512: async (data) => new Uint8Array(await subtle.digest('SHA-512', bs(data))),
    },
    hmac: {
      async hmacSha256(key, data) {
        // WebCrypto rejects zero-length HMAC keys; RFC 2104 allows them.
        if (key.length === 0) return nobleFamilies.hmac.hmacSha256(key, data);
        const k = await subtle.importKey('raw', bs(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
        return new Uint8Array(await subtle.sign('HMAC', k, bs(data)));
      },
    },
    hkdf: {
      async hkdfSha256(ikm, salt, info, length) {
        if (info.length > WEBCRYPTO_HKDF_MAX_INFO)
          return nobleFamilies.hkdf.hkdfSha256(ikm, salt, info, length);
        const k = await subtle.importKey('raw', bs(ikm), 'HKDF', false, ['deriveBits']);
        const params = { name: 'HKDF', hash: 'SHA-256', salt: bs(salt), info: bs(info) };
        return new Uint8Array(await subtle.deriveBits(params, k, length * 8));
      },
    },
    aesGcm: {
      async seal(key, nonce, plaintext, aad) {
        const k = await subtle.importKey('raw', bs(key), 'AES-GCM', false, ['encrypt']);
        const params = { name: 'AES-GCM', iv: bs(nonce), additionalData: bs(aad), tagLength: 128 };
        return new Uint8Array(await subtle.encrypt(params, k, bs(plaintext)));
      },
      async open(key, nonce, sealed, aad) {
        const k = await subtle.importKey('raw', bs(key), 'AES-GCM', false, ['decrypt']);
        const params = { name: 'AES-GCM', iv: bs(nonce), additionalData: bs(aad), tagLength: 128 };
        try {
          return new Uint8Array(await subtle.decrypt(params, k, bs(sealed)));
        } catch (cause) {
          throw new SottoError('AUTH_FAILED', undefined, { cause });
        }
      },
    },
    x25519: {
      publicKey: (secretKey) => x25519Derive(secretKey, X25519_BASE),
      sharedSecret: x25519Derive,
    },
    ed25519: {
      async publicKey(seed) {
        const k = await importPkcs8(subtle, DER_PREFIX.ed25519Pkcs8, seed, 'Ed25519', ['sign'], true);
        const jwk = await subtle.exportKey('jwk', k);
        if (typeof jwk.x !== 'string')
          throw new SottoError('CRYPTO_UNAVAILABLE', 'Ed25519 JWK export lacks x');
        return base64UrlDecode(jwk.x);
      },
      async sign(seed, message) {
        const k = await importPkcs8(subtle, DER_PREFIX.ed25519Pkcs8, seed, 'Ed25519', ['sign']);
        return new Uint8Array(await subtle.sign('Ed25519', k, bs(message)));
      },
      async verify(publicKey, message, signature) {
        try {
          const k = await subtle.importKey('raw', bs(publicKey), { name: 'Ed25519' }, false, ['verify']);
          return await subtle.verify('Ed25519', k, bs(signature), bs(message));
        } catch {
          return false;
        }
      },
    },
  };
}
