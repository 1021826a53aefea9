/**
 * Notification frames: an account may give the server one email address, which the server verifies with a
 * short code it mails there, and then mails a content-free notice to when messages wait while the account
 * is offline or busy (no sender, no count, no text). The address is the only thing stored; removing it
 * deletes it. A server without a mail server configured answers `notify.email.state` with
 * `available: false` and refuses `notify.email.set` with NOTIFICATIONS_UNAVAILABLE.
 */

import type { Infer } from '../schema/core.js';
import { frame } from '../schema/object.js';
import { bool, optional, text } from '../schema/primitives.js';
import { requestId } from './common.js';

/** Longest address (RFC 5321 §4.5.3.1.3 path limit less the angle brackets). */
export const EMAIL_ADDRESS_MAX_CHARS = 254;

/**
 * An email address as accepted on the wire: ASCII, a dot-atom-like local part of 1–64 characters and a
 * domain of letter-digit-hyphen labels with an alphabetic top-level label (what a browser's
 * `type=email` field accepts, without bare host names or quoted local parts). International domains go
 * in their punycode (`xn--`) form.
 */
export const emailAddress = text({
  min: 6,
  max: EMAIL_ADDRESS_MAX_CHARS,
  pattern:
    /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/,
  what: 'an email address',
});

/** Digits in a verification code. */
export const NOTIFY_CODE_DIGITS = 6;

/** A verification code as mailed: exactly {@link NOTIFY_CODE_DIGITS} decimal digits. */
export const notifyCode = text({
  min: NOTIFY_CODE_DIGITS,
  max: NOTIFY_CODE_DIGITS,
  pattern: /^[0-9]+$/,
  what: 'a code of digits',
});

/** Client → server: the account's notification email state. Answer: `notify.email.state`. */
export const notifyEmailGetFrame = frame('notify.email.get', { id: requestId });

/**
 * Client → server: notify at `address` (replacing any address set before, which stops notifications until
 * the new one is verified); the server mails a verification code there. Answer: `notify.email.state`
 * (unverified), or `error` NOTIFICATIONS_UNAVAILABLE (no mail server, or it failed to take the mail),
 * RATE_LIMITED (too many codes asked for), BAD_FRAME (not an address).
 */
export const notifyEmailSetFrame = frame('notify.email.set', { id: requestId, address: emailAddress });

/**
 * Client → server: the code mailed to the address. Answer: `notify.email.state` (verified), or `error`
 * VERIFICATION_FAILED (wrong, expired, already used, too many attempts, or no address waiting).
 */
export const notifyEmailVerifyFrame = frame('notify.email.verify', { id: requestId, code: notifyCode });

/** Client → server: forget the address (notifications stop). Answer: `notify.email.state`. */
export const notifyEmailRemoveFrame = frame('notify.email.remove', { id: requestId });

/**
 * Server → client: answer to every `notify.email.*` request. `available` is false when the server sends no
 * email (then nothing else can be set); `address` is the address set, if any; `verified` is true once its
 * code was confirmed (notifications go out only then).
 */
export const notifyEmailStateFrame = frame('notify.email.state', {
  id: requestId,
  available: bool(),
  address: optional(emailAddress),
  verified: bool(),
});

/** The answer to the `notify.email.*` requests. */
export type NotifyEmailState = Infer<typeof notifyEmailStateFrame>;
