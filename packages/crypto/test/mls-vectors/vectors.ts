/**
 * Loads the official MLS test vectors (RFC 9420 interop vectors from mlswg/mls-implementations, copied into
 * test/fixtures/mls with their LICENSE and SOURCE) and runs tables of cases against ts-mls, collecting every
 * mismatch instead of stopping at the first one, like the Wycheproof runner in test/provider.
 */
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeVarLenData } from 'ts-mls/codec/variableLength.js';
import { concatBytes, equalBytes, fromHex, toHex } from '../../src/bytes.js';

/** Reads and parses `name` from test/fixtures/mls. */
export function loadVectors<T>(name: string): T[] {
  const url = new URL(`../fixtures/mls/${name}`, import.meta.url);
  const parsed: unknown = JSON.parse(readFileSync(url, 'utf8'));
  if (!Array.isArray(parsed)) throw new Error(`${name} is not a JSON array`);
  return parsed as T[];
}

/** A hex string of a vector as bytes (the files mix upper and lower case). */
export const hex = (value: string): Uint8Array => fromHex(value);

/**
 * A key written as TLS `opaque<V>` (a QUIC-style length prefix, RFC 9420 §2.1.2) as its raw bytes: the
 * crypto-basics vectors serialize HPKE and signature keys with their length prefix. Throws when the prefix
 * does not cover exactly the rest of the field, so a malformed vector cannot pass silently.
 */
export function prefixedKey(value: string): Uint8Array {
  const bytes = fromHex(value);
  const decoded = decodeVarLenData(bytes, 0);
  if (decoded === undefined || decoded[1] !== bytes.length)
    throw new Error(`not a length-prefixed key: ${value}`);
  return decoded[0];
}

/** `value` as TLS `opaque<V>` with its RFC 9420 §2.1.2 length prefix (values under 16 KiB only). */
export function opaque(value: Uint8Array): Uint8Array {
  if (value.length >= 0x4000) throw new Error('opaque() covers values under 16 KiB only');
  const prefix = value.length < 0x40 ? [value.length] : [0x40 | (value.length >> 8), value.length & 0xff];
  return concatBytes(Uint8Array.from(prefix), value);
}

/**
 * Whether node:crypto (OpenSSL, independent of ts-mls and noble) accepts `signature` (DER) over `message` as
 * ECDSA with SHA-256 on `curve`, for an uncompressed SEC1 `publicKey`.
 */
export function ecdsaSha256Verifies(
  curve: 'P-384' | 'P-521',
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  const half = (publicKey.length - 1) / 2;
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: curve,
      x: b64(publicKey.subarray(1, 1 + half)),
      y: b64(publicKey.subarray(1 + half)),
    },
    format: 'jwk',
  });
  return verify('sha256', message, key, signature);
}

/** Compares bytes and describes the first mismatch: `true` when equal, else a short message. */
export function same(what: string, actual: Uint8Array, expected: Uint8Array): true | string {
  return equalBytes(actual, expected) || `${what}: got ${toHex(actual)}, want ${toHex(expected)}`;
}

/** The outcome of one check: `true` when it holds, else what went wrong. */
export type Verdict = true | string;

/** Runs `check` over `cases` (each labelled by `label`), returning how many ran and which failed. */
export async function runCases<T>(
  cases: readonly T[],
  label: (c: T, index: number) => string,
  check: (c: T) => Promise<Verdict[] | Verdict>,
): Promise<{ count: number; failures: string[] }> {
  const failures: string[] = [];
  let count = 0;
  for (const [index, c] of cases.entries()) {
    count++;
    let verdicts: Verdict[];
    try {
      const v = await check(c);
      verdicts = Array.isArray(v) ? v : [v];
    } catch (err) {
      verdicts = [`threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`];
    }
    for (const v of verdicts) if (v !== true) failures.push(`${label(c, index)}: ${v}`);
  }
  return { count, failures };
}
