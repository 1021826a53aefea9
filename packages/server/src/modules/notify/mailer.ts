/**
 * Sending email through the operator's mail server (nodemailer's SMTP transport). A failure is reported
 * as a {@link MailFailure} that names only the SMTP error code and reply code: the mail server's reply
 * text can quote the recipient's address, and addresses never reach a log line.
 */
import nodemailer from 'nodemailer';
import type { Mail } from './mails.js';
import type { SmtpSettings } from './smtp-config.js';

/** Sends plain-text emails. */
export interface Mailer {
  /** Resolves once the mail server accepted the email. Throws {@link MailFailure}. */
  send(mail: Mail): Promise<void>;
  close(): void;
}

/** Why an email was not accepted, in words safe to log (no address, no reply text). */
export class MailFailure extends Error {
  override readonly name = 'MailFailure';

  constructor(
    /** nodemailer's code (`ECONNECTION`, `EAUTH`, `ETIMEDOUT`, `EENVELOPE`, …), or `UNKNOWN`. */
    readonly code: string,
    /** The SMTP reply code (e.g. 550), when the server answered. */
    readonly responseCode: number | undefined,
  ) {
    super(`the mail server did not take the email (${code}${responseCode ? ` ${responseCode}` : ''})`);
  }
}

/** How long to wait for the mail server: to connect, for its greeting, and for any reply after that. */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** A {@link Mailer} over SMTP. Every email gets `Auto-Submitted: auto-generated` (RFC 3834). */
export function smtpMailer(smtp: SmtpSettings): Mailer {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTls,
    ...(smtp.auth === undefined ? {} : { auth: { user: smtp.auth.user, pass: smtp.auth.pass } }),
    ...TIMEOUTS,
    logger: false,
    debug: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    send: async (mail) => {
      try {
        await transport.sendMail({
          from: smtp.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
        });
      } catch (err) {
        const e = err as { code?: unknown; responseCode?: unknown };
        throw new MailFailure(
          typeof e.code === 'string' && /^[A-Z_]{1,32}$/.test(e.code) ? e.code : 'UNKNOWN',
          typeof e.responseCode === 'number' ? e.responseCode : undefined,
        );
      }
    },
    close: () => transport.close(),
  };
}
