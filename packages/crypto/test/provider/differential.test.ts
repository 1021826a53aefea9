/**
 * Differential tests: on random inputs (fast-check) the three backends agree byte for byte, or fail with the
 * same error code, and each verifies what the others produce.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes.js';
import { SottoError } from '../../src/errors.js';
import type { CryptoProvider } from '../../src/provider.js';
import { providerCases } from '../helpers/providers.js';

const cases = await providerCases();
const providers = cases.map((c) => c.provider);

/** What one backend did: hex of the output, or the error code. */
async function outcome(run: () => Promise<Uint8Array | boolean>): Promise<string> {
  try {
    const out = await run();
    return typeof out === 'boolean' ? String(out) : toHex(out);
  } catch (err) {
    return `error:${SottoError.is(err) ? err.code : 'non-sotto'}`;
  }
}

/** Runs `op` on every backend and asserts identical outcomes; returns the common outcome. */
async function agree(op: (p: CryptoProvider) => Promise<Uint8Array | boolean>): Promise<string> {
  const outcomes = await Promise.all(providers.map((p) => outcome(() => op(p))));
  expect(new Set(outcomes).size, cases.map((c, i) => `${c.label}=${outcomes[i]}`).join(' ')).toBe(1);
  return outcomes[0] as string;
}

const bytes = (max: number, min = 0) => fc.uint8Array({ minLength: min, maxLength: max });
const key32 = bytes(32, 32);

describe('differential: all backends agree', () => {
  it('covers three backends', () => {
    expect(cases.map((c) => c.label)).toEqual(['node', 'portable-webcrypto', 'portable-noble']);
  });

  it('SHA-256, SHA-512 and HMAC-SHA-256 (including empty keys)', async () => {
    await fc.assert(
      fc.asyncProperty(bytes(100), bytes(3000), async (key, data) => {
        await agree((p) => p.sha256(data));
        await agree((p) => p.sha512(data));
        await agree((p) => p.hmacSha256(key, data));
      }),
      { numRuns: 100 },
    );
  });

  it('HKDF-SHA-256 (empty salt and ikm, info across the 1,024-byte WebCrypto limit)', async () => {
    await fc.assert(
      fc.asyncProperty(
        bytes(80),
        bytes(80),
        bytes(1100),
        fc.integer({ min: 0, max: 8200 }),
        async (ikm, salt, info, len) => {
          const result = await agree((p) => p.hkdfSha256(ikm, salt, info, len));
          expect(result.startsWith('error:')).toBe(len < 1 || len > 8160);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('named edges: empty HMAC key, HKDF info over 1,024 bytes, empty ikm and salt, 8,160-byte output', async () => {
    const data = new Uint8Array(100).fill(0x42);
    expect(await agree((p) => p.hmacSha256(new Uint8Array(0), data))).toHaveLength(64);
    expect(await agree((p) => p.hkdfSha256(data, data, new Uint8Array(2000).fill(1), 100))).toHaveLength(200);
    expect(await agree((p) => p.hkdfSha256(new Uint8Array(0), new Uint8Array(0), data, 32))).toHaveLength(64);
    expect(
      await agree((p) => p.hkdfSha256(data, new Uint8Array(0), new Uint8Array(1025), 8160)),
    ).toHaveLength(16320);
    expect(await agree((p) => p.hkdfSha256(data, data, data, 8161))).toBe('error:INVALID_ARGUMENT');
    expect(await agree((p) => p.hkdfSha256(data, data, data, 0))).toBe('error:INVALID_ARGUMENT');
  });

  it('AES-256-GCM seal, open across backends, and tag tampering', async () => {
    await fc.assert(
      fc.asyncProperty(
        key32,
        bytes(12, 12),
        bytes(600),
        bytes(64),
        fc.nat(),
        async (key, nonce, pt, aad, flip) => {
          const sealedHex = await agree((p) => p.aes256GcmSeal(key, nonce, pt, aad));
          const sealed = await (providers[0] as CryptoProvider).aes256GcmSeal(key, nonce, pt, aad);
          expect(toHex(sealed)).toBe(sealedHex);
          expect(await agree((p) => p.aes256GcmOpen(key, nonce, sealed, aad))).toBe(toHex(pt));
          const i = flip % sealed.length;
          sealed[i] = (sealed[i] as number) ^ (1 << (flip % 8));
          expect(await agree((p) => p.aes256GcmOpen(key, nonce, sealed, aad))).toBe('error:AUTH_FAILED');
        },
      ),
      { numRuns: 100 },
    );
  });

  it('X25519 public keys and shared secrets, on arbitrary 32-byte u-coordinates too', async () => {
    await fc.assert(
      fc.asyncProperty(key32, key32, key32, async (a, b, u) => {
        const pa = await (providers[0] as CryptoProvider).x25519PublicKey(a);
        expect(await agree((p) => p.x25519PublicKey(a))).toBe(toHex(pa));
        const pb = await (providers[0] as CryptoProvider).x25519PublicKey(b);
        expect(await agree((p) => p.x25519(a, pb))).toBe(await agree((p) => p.x25519(b, pa)));
        await agree((p) => p.x25519(a, u));
      }),
      { numRuns: 60 },
    );
  });

  it('Ed25519: same public keys and signatures, and each backend verifies the others', async () => {
    await fc.assert(
      fc.asyncProperty(key32, bytes(300), fc.nat(), async (seed, msg, flip) => {
        const pkHex = await agree((p) => p.ed25519PublicKey(seed));
        await agree((p) => p.ed25519Sign(seed, msg));
        for (const signer of providers) {
          const pk = await signer.ed25519PublicKey(seed);
          expect(toHex(pk)).toBe(pkHex);
          const sig = await signer.ed25519Sign(seed, msg);
          expect(await agree((p) => p.ed25519Verify(pk, msg, sig))).toBe('true');
          const bad = sig.slice();
          bad[flip % 64] = (bad[flip % 64] as number) ^ (1 << (flip % 8));
          expect(await agree((p) => p.ed25519Verify(pk, msg, bad))).toBe('false');
        }
      }),
      { numRuns: 30 },
    );
  });

  it('Ed25519 verification of arbitrary bytes (keys, signatures, lengths)', async () => {
    await fc.assert(
      fc.asyncProperty(bytes(33, 31), bytes(65, 63), bytes(40), async (pk, sig, msg) => {
        await agree((p) => p.ed25519Verify(pk, msg, sig));
      }),
      { numRuns: 100 },
    );
  });

  it('ML-KEM-768: keygen from seed, encapsulation with fixed randomness, decapsulation', async () => {
    await fc.assert(
      fc.asyncProperty(bytes(64, 64), key32, bytes(1088, 1088), async (seed, m, junk) => {
        await agree(async (p) => (await p.mlkem768Generate(seed)).secretKey);
        const { publicKey, secretKey } = await (providers[0] as CryptoProvider).mlkem768Generate(seed);
        await agree(async (p) => (await p.mlkem768Generate(seed)).publicKey);
        const ctHex = await agree(async (p) => (await p.mlkem768Encapsulate(publicKey, m)).ciphertext);
        const { ciphertext, sharedSecret } = await (providers[0] as CryptoProvider).mlkem768Encapsulate(
          publicKey,
          m,
        );
        expect(toHex(ciphertext)).toBe(ctHex);
        expect(await agree((p) => p.mlkem768Decapsulate(ciphertext, secretKey))).toBe(toHex(sharedSecret));
        // A random ciphertext is implicitly rejected (FIPS 203 §6.3): a pseudorandom key, the same everywhere.
        expect(await agree((p) => p.mlkem768Decapsulate(junk, secretKey))).not.toBe(toHex(sharedSecret));
      }),
      { numRuns: 15 },
    );
  });
});
