/**
 * Account names: 3–32 characters of `a-z`, `0-9`, `.`, `_`, `-`, starting and ending with a letter
 * or digit. The wire carries only the normalized (lowercase) form, so two spellings of one name can
 * never be two accounts; {@link normalizeAccountName} turns user input into that form.
 */

import { SottoError } from '@sotto/crypto';
import { text } from './schema/primitives.js';

/** Shortest account name. */
export const ACCOUNT_NAME_MIN = 3;
/** Longest account name. */
export const ACCOUNT_NAME_MAX = 32;
/** The normalized account-name form: lowercase ASCII letters, digits, `.`, `_`, `-`, alphanumeric ends. */
export const ACCOUNT_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9._-]{1,30})[a-z0-9]$/;

/** Schema of an account name on the wire (already normalized; uppercase is rejected). */
export const accountName = text({
  min: ACCOUNT_NAME_MIN,
  max: ACCOUNT_NAME_MAX,
  pattern: ACCOUNT_NAME_PATTERN,
  what: 'a valid account name',
});

/** True when `name` is a normalized, valid account name. */
export function isAccountName(name: unknown): name is string {
  return typeof name === 'string' && ACCOUNT_NAME_PATTERN.test(name);
}

/**
 * Normalizes user input to an account name: trims surrounding whitespace and lowercases ASCII.
 * @throws SottoError INVALID_ACCOUNT_NAME when the result is not a valid name (non-ASCII letters are
 *   refused, not folded, so look-alike names cannot collide).
 */
export function normalizeAccountName(input: string): string {
  const name = input.trim().replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (!isAccountName(name)) throw new SottoError('INVALID_ACCOUNT_NAME');
  return name;
}
