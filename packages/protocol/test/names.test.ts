import { accountName, isAccountName, normalizeAccountName, SottoError } from '@sotto/protocol';
import { describe, expect, it } from 'vitest';

describe('account names', () => {
  it.each([
    ['alice', 'alice'],
    ['  Alice  ', 'alice'],
    ['BOB.Smith', 'bob.smith'],
    ['a_1', 'a_1'],
    ['x-y', 'x-y'],
    ['abc', 'abc'],
    ['a'.repeat(32), 'a'.repeat(32)],
    ['007', '007'],
  ])('normalizes %j to %j', (input, out) => {
    expect(normalizeAccountName(input)).toBe(out);
    expect(isAccountName(out)).toBe(true);
    expect(accountName.check(out)).toBe(out);
  });

  it.each([
    'ab',
    'a'.repeat(33),
    '.alice',
    'alice-',
    'al ice',
    'alïce',
    'аlice', // Cyrillic а: look-alikes are refused, not folded
    'alice@example.org',
    'ALİCE',
    '',
  ])('refuses %j with INVALID_ACCOUNT_NAME', (input) => {
    expect(() => normalizeAccountName(input)).toThrow(SottoError);
    try {
      normalizeAccountName(input);
    } catch (err) {
      expect(SottoError.is(err, 'INVALID_ACCOUNT_NAME')).toBe(true);
    }
  });

  it('the wire schema takes only the normalized form', () => {
    expect(() => accountName.check('Alice')).toThrow();
    expect(isAccountName('Alice')).toBe(false);
    expect(isAccountName(42)).toBe(false);
  });
});
