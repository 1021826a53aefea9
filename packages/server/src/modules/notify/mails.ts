/**
 * The two emails the server writes. The notification is content-free by construction: it is built from
 * the server's name alone, so no sender, no count, no time of a message and no text can end up in it; its
 * subject is fixed. The verification email carries the code and the account that asked for it (so whoever
 * gets it unasked knows which account to ignore).
 */

/** One plain-text email. */
export interface Mail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** The fixed subject of every notification. */
export const NOTIFICATION_SUBJECT = 'New messages on Sotto';

/** The subject of a verification email. */
export const VERIFICATION_SUBJECT = 'Your Sotto verification code';

/** The notice that messages wait on `server` (its public host name). Nothing else goes in. */
export function notificationMail(to: string, server: string): Mail {
  return {
    to,
    subject: NOTIFICATION_SUBJECT,
    text: [
      `You have new messages waiting on ${server}.`,
      '',
      'Open Sotto to read them. This email says nothing about who wrote or what: the messages are',
      'end-to-end encrypted and only your devices can read them.',
      '',
      'You get these emails because you turned on email notifications. To stop them, remove the',
      'address in Sotto (Settings, or "sotto notify off").',
    ].join('\n'),
  };
}

/** The email with `code`, which `account` on `server` asked for and which is valid for `minutes`. */
export function verificationMail(
  to: string,
  code: string,
  account: string,
  server: string,
  minutes: number,
): Mail {
  return {
    to,
    subject: VERIFICATION_SUBJECT,
    text: [
      `Your code is ${code}`,
      '',
      `Enter it in Sotto to receive notification emails for the account "${account}" on ${server}.`,
      `It is valid for ${minutes} minutes.`,
      '',
      'If you did not ask for this, ignore this email: nothing is sent to this address unless the code',
      'is entered.',
    ].join('\n'),
  };
}
