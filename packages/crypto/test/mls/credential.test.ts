import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../src/bytes.js';
import { memberCredential, memberIdentity, parseMemberCredential } from '../../src/mls/index.js';

const account = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{1,30}[a-z0-9]$/);
const deviceId = fc.integer({ min: 0, max: 0xffff_ffff });

describe('member credentials', () => {
  it('name a device as sotto:v1:<account>:<deviceId> and parse back to the same device', () => {
    expect(new TextDecoder().decode(memberIdentity({ account: 'alice', deviceId: 7 }))).toBe(
      'sotto:v1:alice:7',
    );
    fc.assert(
      fc.property(account, deviceId, (a, d) => {
        expect(parseMemberCredential(memberCredential({ account: a, deviceId: d }))).toEqual({
          account: a,
          deviceId: d,
        });
      }),
    );
  });

  it('accept one spelling only: anything else is GROUP_CREDENTIAL_INVALID', () => {
    for (const bad of [
      'sotto:v1:alice:07',
      'sotto:v1:Alice:7',
      'sotto:v1:alice:',
      'sotto:v2:alice:7',
      'sotto:v1:a:7',
      'sotto:v1:alice:4294967296',
      'sotto:v1:alice:7 ',
      'alice:7',
    ]) {
      expect(() => parseMemberCredential({ credentialType: 'basic', identity: utf8(bad) })).toThrow(
        expect.objectContaining({ code: 'GROUP_CREDENTIAL_INVALID' }),
      );
    }
    expect(() => parseMemberCredential({ credentialType: 'x509', certificates: [] })).toThrow(
      expect.objectContaining({ code: 'GROUP_CREDENTIAL_INVALID' }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          const d = parseMemberCredential({ credentialType: 'basic', identity: bytes });
          // Whatever parses is the canonical identity of what it names.
          expect(memberIdentity(d)).toEqual(bytes);
        } catch (err) {
          expect(err).toMatchObject({ code: 'GROUP_CREDENTIAL_INVALID' });
        }
      }),
    );
  });
});
