/**
 * messages.json (leading subset, see fixtures/mls/SOURCE): the wire syntax of RFC 9420 structures. Every
 * field must decode with ts-mls's decoder for its structure, consume all of its bytes, and re-encode to the
 * same bytes. A truncated encoding must not decode.
 */
import { decodeMlsMessage, encodeMlsMessage } from 'ts-mls';
import type { Decoder } from 'ts-mls/codec/tlsDecoder.js';
import type { Encoder } from 'ts-mls/codec/tlsEncoder.js';
import { decodeCommit, encodeCommit } from 'ts-mls/commit.js';
import { decodeGroupSecrets, encodeGroupSecrets } from 'ts-mls/groupSecrets.js';
import {
  decodeAdd,
  decodeExternalInit,
  decodeGroupContextExtensions,
  decodePSK,
  decodeReinit,
  decodeRemove,
  decodeUpdate,
  encodeAdd,
  encodeExternalInit,
  encodeGroupContextExtensions,
  encodePSK,
  encodeReinit,
  encodeRemove,
  encodeUpdate,
} from 'ts-mls/proposal.js';
import { decodeRatchetTree, encodeRatchetTree } from 'ts-mls/ratchetTree.js';
import { describe, expect, it } from 'vitest';
import { hex, loadVectors, runCases, same, type Verdict } from './vectors.js';

type MessagesVector = Readonly<Record<string, string>>;

/** Decodes a structure from the start of `bytes` and re-encodes what it read. */
interface Codec {
  roundTrip(bytes: Uint8Array): { consumed: number; reencoded: Uint8Array; wireformat?: string } | undefined;
  /** The MLSMessage wire format the field must carry, for MLSMessage fields. */
  readonly wireformat?: string;
}

function codec<T>(decode: Decoder<T>, encode: Encoder<T>, wireformat?: string): Codec {
  return {
    wireformat,
    roundTrip(bytes) {
      const r = decode(bytes, 0);
      if (r === undefined) return undefined;
      const read = (r[0] as { wireformat?: string }).wireformat;
      return { consumed: r[1], reencoded: encode(r[0]), ...(read === undefined ? {} : { wireformat: read }) };
    },
  };
}

const mlsMessage = (wireformat: string) => codec(decodeMlsMessage, encodeMlsMessage, wireformat);

/** Every field of a messages.json entry and the structure RFC 9420 says it holds. */
const FIELDS: Readonly<Record<string, Codec>> = {
  mls_welcome: mlsMessage('mls_welcome'),
  mls_group_info: mlsMessage('mls_group_info'),
  mls_key_package: mlsMessage('mls_key_package'),
  ratchet_tree: codec(decodeRatchetTree, encodeRatchetTree),
  group_secrets: codec(decodeGroupSecrets, encodeGroupSecrets),
  add_proposal: codec(decodeAdd, encodeAdd),
  update_proposal: codec(decodeUpdate, encodeUpdate),
  remove_proposal: codec(decodeRemove, encodeRemove),
  pre_shared_key_proposal: codec(decodePSK, encodePSK),
  re_init_proposal: codec(decodeReinit, encodeReinit),
  external_init_proposal: codec(decodeExternalInit, encodeExternalInit),
  group_context_extensions_proposal: codec(decodeGroupContextExtensions, encodeGroupContextExtensions),
  commit: codec(decodeCommit, encodeCommit),
  public_message_application: mlsMessage('mls_public_message'),
  public_message_proposal: mlsMessage('mls_public_message'),
  public_message_commit: mlsMessage('mls_public_message'),
  private_message: mlsMessage('mls_private_message'),
};

const vectors = loadVectors<MessagesVector>('messages.json');

function decodesWhole(c: Codec, bytes: Uint8Array): boolean {
  try {
    return c.roundTrip(bytes)?.consumed === bytes.length;
  } catch {
    return false;
  }
}

async function check(v: MessagesVector): Promise<Verdict[]> {
  const out: Verdict[] = [];
  const missing = Object.keys(FIELDS).filter((f) => v[f] === undefined);
  const unknown = Object.keys(v).filter((f) => FIELDS[f] === undefined);
  if (missing.length > 0 || unknown.length > 0) out.push(`fields missing ${missing}, unknown ${unknown}`);
  for (const [field, c] of Object.entries(FIELDS)) {
    const value = v[field];
    if (value === undefined) continue;
    const bytes = hex(value);
    const r = c.roundTrip(bytes);
    if (r === undefined) {
      out.push(`${field} does not decode`);
      continue;
    }
    if (r.consumed !== bytes.length) out.push(`${field}: decoded ${r.consumed} of ${bytes.length} bytes`);
    if (c.wireformat !== undefined && r.wireformat !== c.wireformat)
      out.push(`${field}: wire format ${r.wireformat}, want ${c.wireformat}`);
    out.push(same(`${field} re-encoded`, r.reencoded, bytes));
    if (bytes.length > 1) out.push(!decodesWhole(c, bytes.subarray(0, -1)) || `${field} decoded truncated`);
  }
  return out;
}

describe('MLS messages.json on ts-mls', () => {
  it('every structure of the copied entry: 17 fields', async () => {
    const { count, failures } = await runCases(vectors, (_v, i) => `entry ${i}`, check);
    expect(failures).toEqual([]);
    expect(count).toBe(1);
  });
});
