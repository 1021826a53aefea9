/**
 * The portable backend probes WebCrypto once per family and falls back to noble for any family the runtime
 * lacks or gets wrong. These tests hand it doctored SubtleCrypto objects and check the choice in `detail`
 * and that results are unchanged.
 */
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../src/bytes.js';
import { createNodeProvider, createPortableProvider } from '../../src/provider/index.js';

const real = globalThis.crypto.subtle;
const node = createNodeProvider();

function algorithmName(algorithm: unknown): string {
  return typeof algorithm === 'string' ? algorithm : String((algorithm as { name?: unknown }).name);
}

/** A SubtleCrypto that delegates to the real one, with some methods overridden. */
function doctored(
  overrides: Partial<Record<keyof SubtleCrypto, (...args: unknown[]) => unknown>>,
): SubtleCrypto {
  return new Proxy(real, {
    get(target, prop) {
      const override = overrides[prop as keyof SubtleCrypto];
      if (override !== undefined) return override;
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function sameResults(provider: Awaited<ReturnType<typeof createPortableProvider>>): Promise<void> {
  const seed = new Uint8Array(32).fill(4);
  const msg = utf8('probe');
  expect(toHex(await provider.ed25519Sign(seed, msg))).toBe(toHex(await node.ed25519Sign(seed, msg)));
  expect(toHex(await provider.x25519PublicKey(seed))).toBe(toHex(await node.x25519PublicKey(seed)));
  expect(toHex(await provider.sha256(msg))).toBe(toHex(await node.sha256(msg)));
  expect(toHex(await provider.hmacSha256(seed, msg))).toBe(toHex(await node.hmacSha256(seed, msg)));
}

describe('portable backend probing', () => {
  it('uses WebCrypto for every family this runtime supports', async () => {
    const provider = await createPortableProvider();
    expect(provider.name).toBe('portable');
    expect(provider.detail).toMatchObject({
      sha2: 'webcrypto',
      hmac: 'webcrypto',
      hkdf: 'webcrypto',
      aesGcm: 'webcrypto',
      x25519: 'webcrypto',
      ed25519: 'webcrypto',
      mlkem768: 'noble',
      argon2id: 'noble',
    });
  });

  it('subtle: null serves everything from noble', async () => {
    const provider = await createPortableProvider({ subtle: null });
    for (const family of ['sha2', 'hmac', 'hkdf', 'aesGcm', 'x25519', 'ed25519']) {
      expect(provider.detail[family]).toBe('noble');
    }
    await sameResults(provider);
  });

  it('falls back to noble for curves a runtime lacks (importKey throws NotSupportedError)', async () => {
    const subtle = doctored({
      importKey: (...args: unknown[]) => {
        const name = algorithmName(args[2]);
        if (name === 'X25519' || name === 'Ed25519')
          return Promise.reject(new DOMException('no', 'NotSupportedError'));
        return (real.importKey as (...a: unknown[]) => Promise<CryptoKey>)(...args);
      },
    });
    const provider = await createPortableProvider({ subtle });
    expect(provider.detail).toMatchObject({
      x25519: 'noble',
      ed25519: 'noble',
      aesGcm: 'webcrypto',
      sha2: 'webcrypto',
    });
    await sameResults(provider);
  });

  it('falls back to noble when a WebCrypto family answers wrongly', async () => {
    const subtle = doctored({
      // A digest that disagrees with SHA-2, and an Ed25519 verify that accepts anything (so the cofactored
      // mixed-order probe signature passes): neither may be used.
      digest: async () => new ArrayBuffer(32),
      verify: async () => true,
    });
    const provider = await createPortableProvider({ subtle });
    expect(provider.detail).toMatchObject({ sha2: 'noble', ed25519: 'noble', hmac: 'webcrypto' });
    await sameResults(provider);
  });
});
