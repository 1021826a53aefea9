/**
 * The file format as documented in docs/crypto.md "Files": sizes as a pure function of the plaintext
 * size, the header, and the exact bytes, checked against an independent node:crypto implementation of the
 * documented formulas (HKDF-SHA-256, the STREAM nonce, AES-256-GCM with the header in the AD).
 */

import { createCipheriv, hkdfSync } from 'node:crypto';
import {
  CIPHERTEXT_KIND,
  createFileOpener,
  createFileSealer,
  decryptFile,
  encryptFile,
  FILE_CHUNK_BYTES,
  FILE_HEADER_BYTES,
  fileChunkCount,
  fileChunkPlainBytes,
  fileCipherSize,
  LABELS,
  PROTOCOL_VERSION,
  SottoError,
} from '@sotto/crypto';
import { describe, expect, it } from 'vitest';
import { providerCases } from '../helpers/providers.js';
import { expectCode } from '../keys/support.js';
import { pattern } from './support.js';

const C = FILE_CHUNK_BYTES;

/** string(x): u16 length ‖ UTF-8, as everywhere in the crypto formats. */
function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

/** The documented construction, written again with node:crypto only. */
function referenceEncrypt(fileKey: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const params = Buffer.from([0x30, 1, 16]);
  const hkdf = (label: string, n: number) =>
    Buffer.from(hkdfSync('sha256', fileKey, Buffer.alloc(0), Buffer.concat([str(label), params]), n));
  const okm = hkdf('sotto/v1/files/stream-keys', 39);
  const header = Buffer.concat([params, hkdf('sotto/v1/files/key-commitment', 32)]);
  const aad = Buffer.concat([str('sotto/v1/files/chunk'), header]);
  const n = Math.floor(plaintext.length / C) + 1;
  const parts: Buffer[] = [header];
  for (let i = 0; i < n; i++) {
    const nonce = Buffer.alloc(12);
    okm.copy(nonce, 0, 32, 39);
    nonce.writeUInt32BE(i, 7);
    nonce[11] = i === n - 1 ? 1 : 0;
    const cipher = createCipheriv('aes-256-gcm', okm.subarray(0, 32), nonce);
    cipher.setAAD(aad);
    parts.push(cipher.update(plaintext.subarray(i * C, Math.min(plaintext.length, (i + 1) * C))));
    parts.push(cipher.final(), cipher.getAuthTag());
  }
  return new Uint8Array(Buffer.concat(parts));
}

describe('file sizes', () => {
  it('are a pure function of the plaintext size: one more chunk than whole 64 KiB blocks', () => {
    expect(FILE_HEADER_BYTES).toBe(35);
    const cases: Array<[number, number]> = [
      [0, 1],
      [1, 1],
      [C - 1, 1],
      [C, 2],
      [C + 1, 2],
      [2 * C, 3],
      [100 * 1024 * 1024, 1601],
    ];
    for (const [size, chunks] of cases) {
      expect(fileChunkCount(size)).toBe(chunks);
      expect(fileCipherSize(size)).toBe(35 + size + 16 * chunks);
      expect(fileChunkPlainBytes(size, chunks - 1)).toBe(size % C);
    }
    // 100 MiB fits the default server limit of 100 MiB + 64 KiB of ciphertext.
    expect(fileCipherSize(100 * 1024 * 1024)).toBeLessThanOrEqual(100 * 1024 * 1024 + 64 * 1024);
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 48]) {
      expect(() => fileCipherSize(bad)).toThrow(SottoError);
    }
    expect(() => fileChunkPlainBytes(C, 2)).toThrow(SottoError);
  });
});

describe.each(await providerCases())('file format ($label)', ({ provider: p }) => {
  it('matches an independent node:crypto implementation of the documented construction', async () => {
    const key = new Uint8Array(32).map((_, i) => i + 1);
    for (const size of [0, 5, C - 1, C, C + 17, 2 * C]) {
      const plaintext = pattern(size, size);
      const sealed = await encryptFile(p, key, plaintext);
      expect(Buffer.from(sealed).equals(Buffer.from(referenceEncrypt(key, plaintext))), `size ${size}`).toBe(
        true,
      );
    }
  });

  it('opens with the header kind, version and chunk size, and the labels are registered', async () => {
    const sealed = await encryptFile(p, p.randomBytes(32), pattern(10));
    expect([...sealed.subarray(0, 3)]).toEqual([CIPHERTEXT_KIND.file, PROTOCOL_VERSION, 16]);
    expect(LABELS.filesStreamKeys).toBe('sotto/v1/files/stream-keys');
    expect(LABELS.filesKeyCommitment).toBe('sotto/v1/files/key-commitment');
    expect(LABELS.filesChunkAad).toBe('sotto/v1/files/chunk');
  });

  it('is deterministic for a key and plaintext, chunk by chunk in any order (what resuming relies on)', async () => {
    const key = p.randomBytes(32);
    const plaintext = pattern(3 * C + 100);
    const whole = await encryptFile(p, key, plaintext);
    const sealer = await createFileSealer(p, key, plaintext.length);
    expect(sealer.cipherSize).toBe(whole.length);
    expect(sealer.header).toEqual(whole.subarray(0, 35));
    for (const i of [3, 1, 0, 2]) {
      const chunk = await sealer.sealChunk(
        i,
        plaintext.subarray(i * C, Math.min(plaintext.length, (i + 1) * C)),
      );
      const at = 35 + i * (C + 16);
      expect(Buffer.from(chunk).equals(whole.subarray(at, at + chunk.length))).toBe(true);
    }
    // Another key: another header (the key commitment) and other chunks.
    const other = await encryptFile(p, p.randomBytes(32), plaintext);
    expect(other.subarray(3, 35)).not.toEqual(whole.subarray(3, 35));
  });

  it('refuses misuse with INVALID_ARGUMENT: bad key, chunk of the wrong length or index, a busy or finished opener', async () => {
    await expectCode(() => createFileSealer(p, new Uint8Array(31), 1), 'INVALID_ARGUMENT');
    await expectCode(() => createFileSealer(p, p.randomBytes(32), -1), 'INVALID_ARGUMENT');
    await expectCode(() => createFileOpener(p, new Uint8Array(33)), 'INVALID_ARGUMENT');
    const sealer = await createFileSealer(p, p.randomBytes(32), C + 1);
    await expectCode(() => sealer.sealChunk(0, new Uint8Array(C - 1)), 'INVALID_ARGUMENT');
    await expectCode(() => sealer.sealChunk(1, new Uint8Array(2)), 'INVALID_ARGUMENT');
    await expectCode(() => sealer.sealChunk(2, new Uint8Array(0)), 'INVALID_ARGUMENT');
    const key = p.randomBytes(32);
    const sealed = await encryptFile(p, key, pattern(100));
    const opener = await createFileOpener(p, key);
    const first = opener.push(sealed);
    await expectCode(() => opener.push(new Uint8Array(1)), 'INVALID_ARGUMENT');
    await first;
    expect(await opener.finish()).toEqual(pattern(100));
    await expectCode(() => opener.push(new Uint8Array(1)), 'INVALID_ARGUMENT');
    expect(await decryptFile(p, key, sealed, { plainSize: 100 })).toEqual(pattern(100));
  });
});
