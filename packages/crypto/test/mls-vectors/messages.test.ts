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

/** A structure's codec pair; the `never` keeps one table for structures of different types. */
interface Codec {
  readonly decode: Decoder<never>;
  readonly encode: Encoder<never>;
  /** The MLSMessage wire format the field must carry, for MLSMessage fields. */
  readonly wireformat?: string;
}

const mlsMessage = (wireformat: string): Codec => ({ decode: decodeMlsMessage, encode: encodeMlsMessage, wireformat });

/** Every field of a messages.json entry and the structure RFC 9420 says it holds. */
const FIELDS: Readonly<Record<string, Codec>> = {
  mls_welcome: mlsMessage('mls_welcome'),
  mls_group_info: mlsMessage('mls_group_info'),
  mls_key_package: mlsMessage('mls_key_package'),
  ratchet_tree: { decode: decodeRatchetTree, encode: encodeRatchetTree },
  group_secrets: { decode: decodeGroupSecrets, encode: encodeGroupSecrets },
  add_proposal: { decode: decodeAdd, encode: encodeAdd },
  update_proposal: { decode: decodeUpdate, encode: encodeUpdate },
  remove_proposal: { decode: decodeRemove, encode: encodeRemove },
  pre_shared_key_proposal: { decode: decodePSK, encode: encodePSK },
  re_init_proposal: { decode: decodeReinit, encode: encodeReinit },
  external_init_proposal: { decode: decodeExternalInit, encode: encodeExternalInit },
  group_context_extensions_proposal: { decode: decodeGroupContextExtensions, encode: encodeGroupContextExtensions },
  commit: { decode: decodeCommit, encode: encodeCommit },
  public_message_application: mlsMessage('mls_public_message'),
  public_message_proposal: mlsMessage('mls_public_message'),
  public_message_commit: mlsMessage('mls_public_message'),
  private_message: mlsMessage('mls_private_message'),
};

const vectors = loadVectors<MessagesVector>('messages.json');

function decodes(codec: Codec, bytes: Uint8Array): boolean {
  try {
    const r = codec.decode(bytes, 0);
    return r !== undefined && r[1] === bytes.length;
  } catch {
    return false;
  }
}

async function check(v: MessagesVector): Promise<Verdict[]> {
  const out: Verdict[] = [];
  const missing = Object.keys(FIELDS).filter((f) => v[f] === undefined);
  const unknown = Object.keys(v).filter((f) => FIELDS[f] === undefined);
  if (missing.length > 0 || unknown.length > 0) out.push(`fields missing ${missing}, unknown ${unknown}`);
  for (const [field, codec] of Object.entries(FIELDS)) {
    const value = v[field];
    if (value === undefined) continue;
    const bytes = hex(value);
    const decoded = codec.decode(bytes, 0);
    if (decoded === undefined) {
      out.push(`${field} does not decode`);
      continue;
    }
    const [structure, consumed] = decoded;
    if (consumed !== bytes.length) out.push(`${field}: decoded ${consumed} of ${bytes.length} bytes`);
    const wireformat = (structure as { wireformat?: string }).wireformat;
    if (codec.wireformat !== undefined && wireformat !== codec.wireformat)
      out.push(`${field}: wire format ${wireformat}, want ${codec.wireformat}`);
    out.push(same(`${field} re-encoded`, codec.encode(structure), bytes));
    if (bytes.length > 1) out.push(!decodes(codec, bytes.subarray(0, -1)) || `${field} decoded truncated`);
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
