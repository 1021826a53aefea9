import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, errorCode, httpStatusFor } from '@sotto/protocol';
import { describe, expect, it } from 'vitest';

const srcDir = fileURLToPath(new URL('../src/', import.meta.url));
const docPath = fileURLToPath(new URL('../../../docs/protocol.md', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Codes the protocol adds to the registry (its "wire / server" block). */
const WIRE_CODES = [
  'BAD_FRAME',
  'FRAME_TOO_LARGE',
  'UNKNOWN_FRAME_TYPE',
  'INVALID_ACCOUNT_NAME',
  'UNAUTHENTICATED',
  'AUTH_CHALLENGE_FAILED',
  'AUTH_ORIGIN_MISMATCH',
  'RATE_LIMITED',
  'ACCOUNT_EXISTS',
  'ACCOUNT_NOT_FOUND',
  'LOGIN_FAILED',
  'REGISTRATION_CLOSED',
  'INVITE_INVALID',
  'ACCOUNT_DISABLED',
  'DEVICE_NOT_FOUND',
  'DEVICE_LIST_REJECTED',
  'PREKEY_SIGNATURE_INVALID',
  'NO_PREKEYS',
  'DEVICE_MISMATCH',
  'NOT_A_CONTACT',
  'BLOCKED',
  'MAILBOX_FULL',
  'GROUP_NOT_FOUND',
  'GROUP_EXISTS',
  'NOT_A_GROUP_MEMBER',
  'STALE_EPOCH',
  'GROUP_TOO_LARGE',
  'NO_KEY_PACKAGES',
  'NOTIFICATIONS_UNAVAILABLE',
  'VERIFICATION_FAILED',
  'INTERNAL',
];

describe('error codes', () => {
  it('every code the protocol package names is in the registry', () => {
    const used = new Set<string>();
    const patterns = [
      /new SottoError\(\s*'([A-Z_]+)'/g,
      /^\s+([A-Z][A-Z0-9_]+): \d{3},$/gm,
      /'(BAD_FRAME|INVALID_ARGUMENT)'/g,
    ];
    for (const file of files(srcDir)) {
      const text = readFileSync(file, 'utf8');
      for (const p of patterns) for (const m of text.matchAll(p)) used.add(m[1] as string);
    }
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((c) => !(c in ERROR_CODES))).toEqual([]);
  });

  it('the wire codes are registered with a sentence, and docs/protocol.md documents each', () => {
    const doc = readFileSync(docPath, 'utf8');
    for (const code of WIRE_CODES) {
      expect(ERROR_CODES).toHaveProperty(code);
      expect(doc, `docs/protocol.md mentions ${code}`).toContain(`\`${code}\``);
    }
  });

  it('the error frame accepts exactly the registry codes', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(errorCode.check(code)).toBe(code);
    expect(() => errorCode.check('NOT_A_CODE')).toThrow();
  });

  it('maps codes to HTTP statuses', () => {
    expect(httpStatusFor('BAD_FRAME')).toBe(400);
    expect(httpStatusFor('LOGIN_FAILED')).toBe(401);
    expect(httpStatusFor('ACCOUNT_NOT_FOUND')).toBe(404);
    expect(httpStatusFor('REGISTRATION_CLOSED')).toBe(403);
    expect(httpStatusFor('INVITE_INVALID')).toBe(403);
    expect(httpStatusFor('ACCOUNT_DISABLED')).toBe(403);
    expect(httpStatusFor('ACCOUNT_EXISTS')).toBe(409);
    expect(httpStatusFor('FRAME_TOO_LARGE')).toBe(413);
    expect(httpStatusFor('RATE_LIMITED')).toBe(429);
    expect(httpStatusFor('INTERNAL')).toBe(500);
    expect(httpStatusFor('AUTH_FAILED')).toBe(500);
  });
});
