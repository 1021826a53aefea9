/** Shared helpers of the file-format tests: sealed-chunk surgery and the FILE_INTEGRITY expectation. */

import {
  type CryptoProvider,
  decryptFile,
  FILE_HEADER_BYTES,
  FILE_SEALED_CHUNK_BYTES,
  SottoError,
} from '@sotto/crypto';

/** A deterministic plaintext of `n` bytes (a pattern that differs from chunk to chunk). */
export function pattern(n: number, seed = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + (i >>> 16) * 7 + seed) & 0xff;
  return out;
}

/** The sealed chunks of a ciphertext (the header is `c.subarray(0, FILE_HEADER_BYTES)`). */
export function chunksOf(c: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = FILE_HEADER_BYTES; at < c.length; at += FILE_SEALED_CHUNK_BYTES) {
    out.push(c.slice(at, Math.min(c.length, at + FILE_SEALED_CHUNK_BYTES)));
  }
  return out;
}

/** Header and chunks back into one ciphertext. */
export function join(header: Uint8Array, chunks: readonly Uint8Array[]): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.length, header.length);
  const out = new Uint8Array(total);
  out.set(header);
  let at = header.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The error code `decryptFile` fails with (undefined when it succeeds). */
export async function openCode(
  p: CryptoProvider,
  key: Uint8Array,
  c: Uint8Array,
  plainSize?: number,
): Promise<string | undefined> {
  try {
    await decryptFile(p, key, c, plainSize === undefined ? {} : { plainSize });
    return undefined;
  } catch (err) {
    if (!SottoError.is(err)) throw err;
    return err.code;
  }
}
