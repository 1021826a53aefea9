/**
 * Verification codes: {@link NOTIFY_CODE_DIGITS} uniformly random digits, mailed to the address. The store
 * keeps only a hash bound to the account, so a code confirms one account's address and no other. A few
 * decimal digits are guessable offline from the hash; what protects them is that each code allows only a
 * handful of tries and expires within minutes (the store counts the tries).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { NOTIFY_CODE_DIGITS } from '@sotto/protocol';

const RANGE = 10 ** NOTIFY_CODE_DIGITS;
/** The largest multiple of RANGE below 2^32: values from it on are redrawn, so every code is as likely. */
const LIMIT = Math.floor(0x1_0000_0000 / RANGE) * RANGE;

/** A fresh code, e.g. `"042917"`. */
export function newCode(): string {
  const word = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(word);
    const v = word[0] ?? LIMIT;
    if (v < LIMIT) return String(v % RANGE).padStart(NOTIFY_CODE_DIGITS, '0');
  }
}

/** What the store keeps of `code` for `account`. */
export function codeHash(account: string, code: string): Uint8Array {
  return createHash('sha256').update(`sotto/v1/notify-code\u0000${account}\u0000${code}`, 'utf8').digest();
}

/** True when `hash` is the hash of `code` for `account` (compared in constant time). */
export function codeMatches(hash: Uint8Array, account: string, code: string): boolean {
  const expected = codeHash(account, code);
  return hash.length === expected.length && timingSafeEqual(hash, expected);
}
