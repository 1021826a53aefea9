/**
 * deserialization.json: the variable-length vector header (RFC 9420 §2.1.2). For every vector, ts-mls must
 * read the header as the given length in exactly the header's bytes, and encode that length to the same
 * header. A header with the reserved "11" prefix must be refused.
 */
import { determineLength, lengthEncoder } from 'ts-mls/codec/variableLength.js';
import { describe, expect, it } from 'vitest';
import { hex, loadVectors, runCases, same, type Verdict } from './vectors.js';

interface VlBytesHeader {
  readonly vlbytes_header: string;
  readonly length: number;
}

const vectors = loadVectors<VlBytesHeader>('deserialization.json');

async function check(v: VlBytesHeader): Promise<Verdict[]> {
  const header = hex(v.vlbytes_header);
  const read = determineLength(header, 0);
  const [size, write] = lengthEncoder(v.length);
  const buffer = new ArrayBuffer(size);
  write(0, buffer);
  return [
    read.length === v.length || `read ${read.length}, want ${v.length}`,
    read.lengthFieldSize === header.length ||
      `read a ${read.lengthFieldSize}-byte header, want ${header.length}`,
    same('encoded header', new Uint8Array(buffer), header),
  ];
}

describe('MLS deserialization.json on ts-mls', () => {
  it('every header: 14 cases', async () => {
    const { count, failures } = await runCases(vectors, (v) => `header ${v.vlbytes_header}`, check);
    expect(failures).toEqual([]);
    expect(count).toBe(14);
  });

  it('refuses the reserved 11 prefix', () => {
    expect(() => determineLength(hex('c0000000000000ff'), 0)).toThrow();
  });
});
