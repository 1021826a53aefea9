/** Turns a thrown value into a sentence for the user (never a secret: SDK messages carry none). */
import { SottoError } from '@sotto/client';

const FRIENDLY: Record<string, string> = {
  LOGIN_FAILED: 'Wrong name or password.',
  ACCOUNT_EXISTS: 'That name is taken.',
  ACCOUNT_NOT_FOUND: 'There is no account with that name.',
  WEAK_PASSWORD: 'That password is too easy to guess.',
  NOT_CONNECTED: 'You are offline. Try again when the connection is back.',
  UNTRUSTED_IDENTITY: "This contact's safety number changed. Review it before sending.",
  NOT_A_CONTACT: 'You are not contacts (yet).',
  BLOCKED: 'Blocked.',
  INVALID_ACCOUNT_NAME: 'Names are 1–32 letters, digits, dots, dashes or underscores.',
  RATE_LIMITED: 'Too many attempts. Wait a minute.',
};

/** A short message for `err`, with the SDK's code when there is one. */
export function describeError(err: unknown): string {
  if (SottoError.is(err)) return FRIENDLY[err.code] ?? `${err.message} (${err.code})`;
  return 'Something went wrong.';
}
