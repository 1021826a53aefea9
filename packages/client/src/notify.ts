/**
 * Notification emails (server side: the notify module): the account gives its server one address, which
 * the server verifies with a 6-digit code it mails there, and then mails a content-free notice to (no
 * sender, no text) when messages wait while every device is offline, or while the account shows as busy.
 * The address is personal data the server keeps; removing it deletes it.
 */

import { SottoError } from '@sotto/crypto';
import { emailAddress, type NotifyEmailState, notifyCode, type ServerFrame } from '@sotto/protocol';
import type { Request } from './transport.js';

/** An account's notification email, as its server reports it. */
export interface NotificationEmail {
  /** False when the server sends no email (its operator configured no mail server): nothing can be set. */
  readonly available: boolean;
  /** The address set, if any. */
  readonly address?: string;
  /** True once the code mailed to the address was entered: notifications go out only then. */
  readonly verified: boolean;
}

type Send = (frame: Request) => Promise<ServerFrame>;

function toEmail(f: ServerFrame): NotificationEmail {
  if (f.t !== 'notify.email.state')
    throw new SottoError('INTERNAL', 'The server answered with another frame.');
  const s: NotifyEmailState = f;
  return {
    available: s.available,
    ...(s.address === undefined ? {} : { address: s.address }),
    verified: s.verified,
  };
}

/** Checks a user-typed value against `schema`, as INVALID_ARGUMENT with `what` on failure. */
function checked(value: string, schema: { check(v: unknown): unknown }, what: string): string {
  try {
    schema.check(value);
  } catch {
    throw new SottoError('INVALID_ARGUMENT', what);
  }
  return value;
}

/** The account's notification email state. Throws NOT_CONNECTED. */
export async function notificationEmail(request: Send): Promise<NotificationEmail> {
  return toEmail(await request({ t: 'notify.email.get' }));
}

/**
 * Sets the address (trimmed; it replaces any other and is unverified until {@link verifyNotificationEmail})
 * and has the server mail a code there. Throws INVALID_ARGUMENT (not an address), NOTIFICATIONS_UNAVAILABLE,
 * RATE_LIMITED, NOT_CONNECTED.
 */
export async function setNotificationEmail(request: Send, address: string): Promise<NotificationEmail> {
  const a = checked(address.trim(), emailAddress, 'This is not an email address the server accepts.');
  return toEmail(await request({ t: 'notify.email.set', address: a }));
}

/**
 * Confirms the address with the code from the email (spaces ignored). Throws INVALID_ARGUMENT (not six
 * digits), VERIFICATION_FAILED (wrong, expired or used up: each try counts), NOT_CONNECTED.
 */
export async function verifyNotificationEmail(request: Send, code: string): Promise<NotificationEmail> {
  const c = checked(code.replace(/\s+/g, ''), notifyCode, 'The code is the six digits from the email.');
  return toEmail(await request({ t: 'notify.email.verify', code: c }));
}

/** Removes the address: no more notification emails. Throws NOT_CONNECTED. */
export async function removeNotificationEmail(request: Send): Promise<NotificationEmail> {
  return toEmail(await request({ t: 'notify.email.remove' }));
}
