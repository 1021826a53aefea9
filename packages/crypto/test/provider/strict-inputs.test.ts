/**
 * Named input-checking cases for every backend: wrong lengths, low-order X25519 keys, tampered AES-GCM,
 * FIPS 203 §7.2/§7.3 ML-KEM checks, and error messages that never carry key bytes or plaintext.
 */
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex, utf8 } from '../../src/bytes.js';
import { SottoError } from '../../src/errors.js';
import { mlkemEncapsulationKeyIsReduced } from '../../src/provider/mlkem.js';
import { providerCases } from '../helpers/providers.js';
import { hex, loadWycheproof, rejectionCode } from './wycheproof.js';

const cases = await providerCases();
const b = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

describe.each(cases)('input checks on $label', ({ provider: p }) => {
  it('X25519: low-order public keys give ZERO_SHARED_SECRET (RFC 7748 §6.1)', async () => {
    const lowOrder = [
      new Uint8Array(32), // u = 0
      fromHex('0100000000000000000000000000000000000000000000000000000000000000'), // u = 1
      fromHex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'), // order 8
      fromHex('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'), // u = p - 1
      fromHex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'), // u = p (≡ 0)
    ];
    for (const u of lowOrder) expect(await rejectionCode(p.x25519(b(32), u))).toBe('ZERO_SHARED_SECRET');
  });

  it('X25519 and Ed25519: wrong-length keys are INVALID_ARGUMENT', async () => {
    const pk = await p.x25519PublicKey(b(32));
    expect(await rejectionCode(p.x25519(b(31), pk))).toBe('INVALID_ARGUMENT');
    expect(await rejectionCode(p.x25519(b(32), pk.subarray(1)))).toBe('INVALID_ARGUMENT');
    expect(await rejectionCode(p.x25519(b(32), concatBytes(pk, b(1))))).toBe('INVALID_ARGUMENT');
    expect(await rejectionCode(p.x25519PublicKey(b(33)))).toBe('INVALID_ARGUMENT');
    expect(await rejectionCode(p.ed25519PublicKey(b(31)))).toBe('INVALID_ARGUMENT');
    expect(await rejectionCode(p.ed25519Sign(b(64), b(3)))).toBe('INVALID_ARGUMENT');
  });

  it('Ed25519: verifies Node Buffers (views into a shared pool) and never changes the bytes it is given', async () => {
    // Sign until R's top bit (the sign of x) is set: the strict pre-check looks at exactly that bit.
    const kp = await p.ed25519Generate();
    let message = utf8('m0');
    let sig = await p.ed25519Sign(kp.secretKey, message);
    for (let i = 1; ((sig[31] ?? 0) & 0x80) === 0; i++) {
      message = utf8(`m${i}`);
      sig = await p.ed25519Sign(kp.secretKey, message);
    }
    const pool = Buffer.alloc(256, 0xaa);
    const asBuffer = pool.subarray(100, 164);
    asBuffer.set(sig);
    const before = toHex(asBuffer);
    expect(await p.ed25519Verify(Buffer.from(kp.publicKey), Buffer.from(message), asBuffer)).toBe(true);
    expect(toHex(asBuffer)).toBe(before);
  });

  it('AES-256-GCM: tampered tag, ciphertext, AAD or nonce is AUTH_FAILED', async () => {
    const [key, nonce, aad] = [b(32, 2), b(12, 3), utf8('header')];
    const sealed = await p.aes256GcmSeal(key, nonce, utf8('attack at dawn'), aad);
    const flipped = (at: number) => {
      const copy = sealed.slice();
      copy[at] = (copy[at] as number) ^ 0x80;
      return copy;
    };
    expect(await rejectionCode(p.aes256GcmOpen(key, nonce, flipped(sealed.length - 1), aad))).toBe(
      'AUTH_FAILED',
    );
    expect(await rejectionCode(p.aes256GcmOpen(key, nonce, flipped(0), aad))).toBe('AUTH_FAILED');
    expect(await rejectionCode(p.aes256GcmOpen(key, nonce, sealed, utf8('Header')))).toBe('AUTH_FAILED');
    expect(await rejectionCode(p.aes256GcmOpen(key, b(12, 4), sealed, aad))).toBe('AUTH_FAILED');
    expect(await rejectionCode(p.aes256GcmOpen(key, nonce, sealed.subarray(0, 15), aad))).toBe('AUTH_FAILED');
    expect(await rejectionCode(p.aes256GcmOpen(key, nonce, sealed.subarray(0, 16), aad))).toBe('AUTH_FAILED');
  });

  it('AES-256-GCM: AES-128/192 keys and non-96-bit nonces are INVALID_ARGUMENT', async () => {
    for (const [k, n] of [
      [b(16), b(12)],
      [b(24), b(12)],
      [b(32), b(16)],
      [b(32), b(8)],
    ] as const) {
      expect(await rejectionCode(p.aes256GcmSeal(k, n, b(5), b(0)))).toBe('INVALID_ARGUMENT');
      expect(await rejectionCode(p.aes256GcmOpen(k, n, b(21), b(0)))).toBe('INVALID_ARGUMENT');
    }
  });

  it('error messages carry no key bytes or plaintext', async () => {
    const key = fromHex('a1'.repeat(32));
    const secret = utf8('the launch code is 0000');
    const sealed = await p.aes256GcmSeal(key, b(12), secret, b(0));
    sealed[0] = (sealed[0] as number) ^ 1;
    const errors: unknown[] = [];
    await p.aes256GcmOpen(key, b(12), sealed, b(0)).catch((e) => errors.push(e));
    await p.x25519(key, new Uint8Array(32)).catch((e) => errors.push(e));
    await p.x25519(key.subarray(1), b(32)).catch((e) => errors.push(e));
    expect(errors).toHaveLength(3);
    for (const err of errors) {
      expect(SottoError.is(err)).toBe(true);
      const text = `${(err as Error).message} ${String(err)} ${String((err as Error).cause)}`;
      expect(text).not.toMatch(/a1a1|the launch/i);
    }
  });

  it('ML-KEM-768 §7.2: unreduced and wrong-length encapsulation keys are refused', async () => {
    const { publicKey } = await p.mlkem768Generate(b(64, 5));
    const unreduced = publicKey.slice();
    unreduced[0] = 0xff;
    unreduced[1] = (unreduced[1] as number) | 0x0f; // first coefficient = 4095 ≥ q
    expect(await rejectionCode(p.mlkem768Encapsulate(unreduced))).toBe('INVALID_PUBLIC_KEY');
    expect(await rejectionCode(p.mlkem768Encapsulate(publicKey.subarray(1)))).toBe('INVALID_ARGUMENT');
    expect(await rejectionCode(p.mlkem768Encapsulate(publicKey, b(31)))).toBe('INVALID_ARGUMENT');
  });

  it('ML-KEM-768 §7.3: a decapsulation key whose H(ek) or ek was altered is refused', async () => {
    const { publicKey, secretKey } = await p.mlkem768Generate(b(64, 6));
    const { ciphertext } = await p.mlkem768Encapsulate(publicKey, b(32, 7));
    const alter = (at: number) => {
      const copy = secretKey.slice();
      copy[at] = (copy[at] as number) ^ 1;
      return copy;
    };
    expect(await rejectionCode(p.mlkem768Decapsulate(ciphertext, alter(2400 - 64)))).toBe('INVALID_ARGUMENT'); // H(ek)
    expect(await rejectionCode(p.mlkem768Decapsulate(ciphertext, alter(1152 + 10)))).toBe('INVALID_ARGUMENT'); // ek
    expect(await rejectionCode(p.mlkem768Decapsulate(ciphertext.subarray(1), secretKey))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await rejectionCode(p.mlkem768Decapsulate(ciphertext, secretKey.subarray(1)))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await rejectionCode(p.mlkem768Generate(b(63)))).toBe('INVALID_ARGUMENT');
  });

  it('outputs are plain Uint8Arrays of the right size (no pooled Buffers)', async () => {
    const outs = [
      await p.sha256(b(3)),
      await p.sha512(b(3)),
      await p.hmacSha256(b(32), b(3)),
      await p.hkdfSha256(b(32), b(0), b(3), 32),
      await p.aes256GcmSeal(b(32), b(12), b(3), b(0)),
      await p.x25519PublicKey(b(32)),
      await p.ed25519PublicKey(b(32)),
      await p.ed25519Sign(b(32), b(3)),
      p.randomBytes(16),
    ];
    expect(outs.map((o) => [o.constructor, o.length])).toEqual(
      [32, 64, 32, 32, 19, 32, 32, 64, 16].map((n) => [Uint8Array, n]),
    );
    for (const o of outs) expect(o.byteOffset === 0 && o.buffer.byteLength === o.length).toBe(true);
  });
});

describe('shared checks', () => {
  it('randomBytes fills requests beyond the 65,536-byte getRandomValues limit', () => {
    const { provider } = cases[0] as (typeof cases)[number];
    const big = provider.randomBytes(200_000);
    expect(big.length).toBe(200_000);
    expect(big.subarray(190_000).some((x) => x !== 0)).toBe(true);
    expect(provider.randomBytes(0).length).toBe(0);
    expect(() => provider.randomBytes(-1)).toThrow(SottoError);
    expect(toHex(provider.randomBytes(32))).not.toBe(toHex(provider.randomBytes(32)));
  });

  it('the FIPS 203 modulus check is ours: it flags every unreduced Wycheproof key, and no reduced one', () => {
    const file = loadWycheproof('mlkem_768_encaps_test.json');
    let flagged = 0;
    let passed = 0;
    for (const group of file.testGroups) {
      for (const t of group.tests) {
        const ek = hex(t, 'ek');
        if (ek.length !== 1184) continue;
        const reduced = mlkemEncapsulationKeyIsReduced(ek);
        expect(reduced, `tcId ${t.tcId}`).toBe(t.result === 'valid');
        if (reduced) passed++;
        else flagged++;
      }
    }
    expect([flagged, passed]).toEqual([112, 133]);
  });
});
