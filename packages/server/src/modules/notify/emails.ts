/**
 * The `notify.email.*` requests: an account sets one address, confirms it with the code mailed there,
 * reads its state and removes it. Asking for codes is rate-limited per account (each one is an email to
 * an address the asker chose); every try of a code counts, right or wrong, and a code expires within
 * minutes. The address never reaches a log line.
 */
import type { FrameOf } from '@sotto/protocol';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { ApiError } from '../../errors.js';
import type { RateLimit } from '../../shared/shared-state.js';
import type { NotifyRecords } from '../../store/notify-records.js';
import { codeHash, codeMatches, newCode } from './codes.js';
import { type Mailer, MailFailure } from './mailer.js';
import { verificationMail } from './mails.js';

/** The answer frame of every `notify.email.*` request, without its id. */
export type EmailState = Omit<FrameOf<'notify.email.state'>, 'id'>;

/** What {@link NotifyEmails} needs. */
export interface NotifyEmailsDeps {
  readonly records: NotifyRecords;
  /** Undefined when the operator configured no mail server: nothing can be set. */
  readonly mailer: Mailer | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  /** `notify.email.set` per account. */
  readonly codeLimit: RateLimit;
  /** The server's public name, for the email. */
  readonly serverName: () => string;
  readonly codeTtlMs: number;
  readonly codeAttempts: number;
  /** Called after the account's address changed (set, verified or removed). */
  readonly changed: (account: string) => void;
}

/** An account's notification address: set, verify, read, remove. */
export class NotifyEmails {
  constructor(private readonly deps: NotifyEmailsDeps) {}

  /** The account's state. */
  async state(account: string): Promise<EmailState> {
    const r = await this.deps.records.get(account);
    return {
      t: 'notify.email.state',
      available: this.deps.mailer !== undefined,
      ...(r === undefined ? {} : { address: r.address }),
      verified: r?.verified ?? false,
    };
  }

  /**
   * Records `address` (unverified, replacing any other) and mails it a fresh code. Throws
   * NOTIFICATIONS_UNAVAILABLE (no mail server, or it did not take the email: the address stays recorded,
   * unverified) and RATE_LIMITED.
   */
  async set(account: string, address: string): Promise<EmailState> {
    const { mailer, records, clock, logger } = this.deps;
    if (mailer === undefined) throw new ApiError('NOTIFICATIONS_UNAVAILABLE');
    if (!(await this.deps.codeLimit.take(account))) {
      throw new ApiError('RATE_LIMITED', 'Too many codes were asked for; wait a while and try again.');
    }
    const code = newCode();
    await records.setAddress(account, address, {
      hash: codeHash(account, code),
      expiresAt: clock.now() + this.deps.codeTtlMs,
    });
    this.deps.changed(account);
    const minutes = Math.max(1, Math.round(this.deps.codeTtlMs / 60_000));
    try {
      await mailer.send(verificationMail(address, code, account, this.deps.serverName(), minutes));
    } catch (err) {
      const failure = err instanceof MailFailure ? err : new MailFailure('UNKNOWN', undefined);
      logger.warn(
        { account, smtp: { code: failure.code, responseCode: failure.responseCode } },
        'verification email not sent',
      );
      throw new ApiError(
        'NOTIFICATIONS_UNAVAILABLE',
        'The mail server did not take the email with the code; try again later.',
      );
    }
    logger.info({ account }, 'verification email sent');
    return this.state(account);
  }

  /** Confirms the address with `code`. Throws VERIFICATION_FAILED (the try counts all the same). */
  async verify(account: string, code: string): Promise<EmailState> {
    const { records, clock } = this.deps;
    const hash = await records.tryCode(account, clock.now(), this.deps.codeAttempts);
    if (hash === undefined || !codeMatches(hash, account, code) || !(await records.confirm(account, hash))) {
      throw new ApiError('VERIFICATION_FAILED');
    }
    this.deps.changed(account);
    this.deps.logger.info({ account }, 'notification email verified');
    return this.state(account);
  }

  /** Forgets the account's address. */
  async remove(account: string): Promise<EmailState> {
    await this.deps.records.remove(account);
    this.deps.changed(account);
    return this.state(account);
  }
}
