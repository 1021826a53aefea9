/** Turns a thrown value or an error code into a sentence for the user (never a secret: SDK messages carry none). */
import { ERROR_CODES, SottoError } from '@sotto/client';

const FRIENDLY: Record<string, string> = {
  LOGIN_FAILED: 'Wrong name or password.',
  ACCOUNT_EXISTS: 'That name is taken.',
  INVITE_INVALID:
    'This server needs an invite from its operator, and that one is missing, wrong, expired or used up.',
  REGISTRATION_CLOSED: 'This server does not accept new accounts.',
  ACCOUNT_DISABLED: "The server's operator disabled this account.",
  ACCOUNT_NOT_FOUND: 'There is no account with that name.',
  WEAK_PASSWORD: 'That password is too easy to guess.',
  NOT_CONNECTED: 'You are offline. Try again when the connection is back.',
  UNTRUSTED_IDENTITY: "This contact's safety number changed. Review it before sending.",
  NOT_A_CONTACT: 'You are not contacts (yet).',
  BLOCKED: 'Blocked.',
  INVALID_ACCOUNT_NAME: 'Names are 1–32 letters, digits, dots, dashes or underscores.',
  RATE_LIMITED: 'Too many attempts. Wait a minute.',
  DEVICE_MISMATCH: "The contact's devices could not be reached.",
  NO_PREKEYS: 'A device of the contact cannot take new conversations right now.',
  MAILBOX_FULL: "The contact's device has too many waiting messages.",
  FILE_TOO_LARGE: 'The file is larger than the server accepts.',
  QUOTA_EXCEEDED: 'Your file storage on the server is full.',
  FILE_NOT_FOUND: 'The file is no longer on the server.',
  FILE_INTEGRITY: 'The file failed its integrity check.',
  CANCELLED: 'Cancelled.',
  NOTIFICATIONS_UNAVAILABLE: 'The server cannot send the email now. Try again later.',
  VERIFICATION_FAILED: 'That code is wrong or no longer valid. Ask for a new one if needed.',
  NOT_GROUP_ADMIN: 'Only an admin of the group can do that.',
  NOT_A_GROUP_MEMBER: 'You are no longer a member of this group.',
  GROUP_NOT_FOUND: 'This group is not known on this device.',
  GROUP_TOO_LARGE: 'The group would have more devices than the server allows.',
  NO_KEY_PACKAGES:
    'Someone you picked cannot be added yet: none of their devices has been online to prepare for groups.',
  STALE_EPOCH: 'The group changed at the same moment. Try again.',
  GROUP_CREDENTIAL_INVALID:
    'A device of someone you picked does not match their signed device list, so nobody was added.',
  MLS_INVALID: 'A group message could not be verified.',
  CALL_BUSY: 'A call is already going on.',
  CALL_STATE: 'That call is no longer ringing.',
};

/** A short sentence for an error code (as a failed message carries it). */
export function describeCode(code: string | undefined): string {
  if (code === undefined) return 'Something went wrong.';
  if (Object.hasOwn(FRIENDLY, code)) return FRIENDLY[code] ?? code;
  if (Object.hasOwn(ERROR_CODES, code)) return `${ERROR_CODES[code as keyof typeof ERROR_CODES]} (${code})`;
  return code;
}

/** A short message for `err`, with the SDK's code when there is one. */
export function describeError(err: unknown): string {
  if (SottoError.is(err)) return FRIENDLY[err.code] ?? `${err.message} (${err.code})`;
  return 'Something went wrong.';
}
