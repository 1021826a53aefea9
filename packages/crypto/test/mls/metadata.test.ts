import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeGroupMetadata,
  encodeGroupMetadata,
  findGroupMetadata,
  GROUP_METADATA_EXTENSION,
} from '../../src/mls/index.js';

const account = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{1,30}[a-z0-9]$/);
// The generator keeps to valid names: no control characters, no surrounding spaces.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it filters out
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const name = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 128 })
  .filter((s) => s.trim() === s && s.length > 0 && !CONTROL.test(s) && [...s].length <= 128);
const metadata = fc.record({ name, admins: fc.uniqueArray(account, { minLength: 1, maxLength: 12 }) });

describe('group metadata extension (CBOR {v, name, admins})', () => {
  it('round-trips, with admins sorted and unique', () => {
    fc.assert(
      fc.property(metadata, (m) => {
        const decoded = decodeGroupMetadata(encodeGroupMetadata(m));
        expect(decoded).toEqual({ name: m.name, admins: [...new Set(m.admins)].sort() });
      }),
    );
  });

  it('is the deterministic CBOR a generic reader would expect', () => {
    const bytes = encodeGroupMetadata({ name: 'Team', admins: ['bob', 'alice'] });
    // {"v": 1, "name": "Team", "admins": ["alice", "bob"]}
    expect(Buffer.from(bytes).toString('hex')).toBe(
      'a3617601646e616d65645465616d6661646d696e738265616c69636563626f62',
    );
  });

  it('decodes only the canonical encoding of valid metadata (MLS_INVALID otherwise)', () => {
    fc.assert(
      fc.property(metadata, fc.nat(), fc.integer({ min: 1, max: 255 }), (m, at, x) => {
        const bytes = encodeGroupMetadata(m);
        const tampered = bytes.slice();
        const i = at % tampered.length;
        tampered[i] = (tampered[i] as number) ^ x;
        try {
          const d = decodeGroupMetadata(tampered);
          // A change that still decodes must be the canonical encoding of what it says.
          expect(encodeGroupMetadata(d)).toEqual(tampered);
        } catch (err) {
          expect(err).toMatchObject({ code: 'MLS_INVALID' });
        }
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          expect(encodeGroupMetadata(decodeGroupMetadata(bytes))).toEqual(bytes);
        } catch (err) {
          expect(err).toMatchObject({ code: 'MLS_INVALID' });
        }
      }),
    );
  });

  it('refuses names and admin lists out of bounds when encoding', () => {
    for (const m of [
      { name: '', admins: ['alice'] },
      { name: ' x', admins: ['alice'] },
      { name: 'a\u0007b', admins: ['alice'] },
      { name: 'x'.repeat(129), admins: ['alice'] },
      { name: 'ok', admins: [] },
      { name: 'ok', admins: ['Alice'] },
    ]) {
      expect(() => encodeGroupMetadata(m)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });

  it('must be present exactly once among the GroupContext extensions', () => {
    const ext = {
      extensionType: GROUP_METADATA_EXTENSION,
      extensionData: encodeGroupMetadata({ name: 'a', admins: ['bob'] }),
    };
    expect(findGroupMetadata([ext]).name).toBe('a');
    expect(() => findGroupMetadata([])).toThrow(expect.objectContaining({ code: 'MLS_INVALID' }));
    expect(() => findGroupMetadata([ext, ext])).toThrow(expect.objectContaining({ code: 'MLS_INVALID' }));
  });
});
