import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { CIPHERTEXT_KIND, ERROR_CODES, LABELS, markSecret, SottoError } from '@sotto/crypto';
import { describe, expect, it } from 'vitest';

const packagesDir = fileURLToPath(new URL('../../../', import.meta.url));

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (path.endsWith('.ts') && path.includes('/src/')) out.push(path);
  }
  return out;
}

describe('error registry', () => {
  it('documents every code thrown anywhere in the packages', () => {
    const used = new Set<string>();
    const pattern = /new SottoError\(\s*'([A-Z_]+)'/g;
    for (const file of sourceFiles(packagesDir)) {
      for (const m of readFileSync(file, 'utf8').matchAll(pattern)) used.add(m[1] as string);
    }
    expect(used.size).toBeGreaterThan(0);
    const undocumented = [...used].filter((c) => !(c in ERROR_CODES));
    expect(undocumented).toEqual([]);
    for (const sentence of Object.values(ERROR_CODES)) expect(sentence.length).toBeGreaterThan(10);
  });

  it('SottoError carries a stable code, a default sentence and a cause', () => {
    const cause = new Error('inner');
    const err = new SottoError('AUTH_FAILED', undefined, { cause });
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toBe(ERROR_CODES.AUTH_FAILED);
    expect(err.cause).toBe(cause);
    expect(SottoError.is(err, 'AUTH_FAILED')).toBe(true);
    expect(SottoError.is(err, 'INVALID_SIGNATURE')).toBe(false);
    expect(SottoError.is(new Error('x'))).toBe(false);
  });
});

describe('labels', () => {
  it('are unique, name the protocol version, and ciphertext kinds are distinct', () => {
    const values = Object.values(LABELS) as string[];
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) expect(v).toMatch(/v1/);
    const kinds = Object.values(CIPHERTEXT_KIND);
    expect(new Set(kinds).size).toBe(kinds.length);
  });
});

describe('markSecret', () => {
  it('renders a secret as [redacted] in every printing path', () => {
    const secret = markSecret({ secretKey: new Uint8Array([1, 2, 3]) });
    expect(String(secret)).toBe('[redacted]');
    expect(`${secret}`).toBe('[redacted]');
    expect(JSON.stringify({ secret })).toBe('{"secret":"[redacted]"}');
    expect(inspect(secret)).toBe('[redacted]');
    expect(inspect({ nested: secret })).not.toContain('1, 2, 3');
    expect(secret.secretKey[2]).toBe(3);
  });
});
