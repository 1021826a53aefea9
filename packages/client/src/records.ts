/**
 * Local records: CBOR (the protocol's strict codec) checked by a schema on the way in and out, so a
 * corrupted or foreign record is refused instead of half-read. Optional fields are left out when absent.
 */

import { SottoError } from '@sotto/crypto';
import { type CborValue, decodeCbor, encodeCbor, type Schema, validate } from '@sotto/protocol';

function clean(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clean);
  if (v instanceof Uint8Array || v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = clean(x);
  return out;
}

/** Encodes a record after checking it against `schema` (INVALID_ARGUMENT on a mismatch: a bug). */
export function encodeRecord<T>(schema: Schema<T>, value: T): Uint8Array {
  const checked = validate(schema, clean(value), 'INVALID_ARGUMENT');
  return encodeCbor(checked as CborValue);
}

/** Decodes a record and checks it; throws MALFORMED_ENCODING when it does not fit. */
export function decodeRecord<T>(schema: Schema<T>, bytes: Uint8Array): T {
  try {
    return validate(schema, decodeCbor(bytes, { maxDepth: 16 }));
  } catch (cause) {
    throw new SottoError('MALFORMED_ENCODING', 'A local record could not be read.', { cause });
  }
}
