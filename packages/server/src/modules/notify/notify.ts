/**
 * Notifications (DESIGN §1): the composition of the module. It answers the `notify.email.*` requests
 * ({@link NotifyEmails}), sees every accepted send through {@link NotifyService.afterSend} (the relay's
 * one hook), and hands messages for other accounts to the {@link NotifyScheduler}, which mails the offline
 * or busy ones. Without a mail server configured, no email is ever sent and the state says
 * `available: false`; the sender is still told when a contact is busy.
 */
import type { FrameOf, PresenceState } from '@sotto/protocol';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { RateLimit } from '../../shared/shared-state.js';
import type { DeviceAddress, Store } from '../../store/store.js';
import type { PresenceService } from '../contacts/presence.js';
import { Counter, type Registry } from '../metrics/registry.js';
import { NotifyEmails } from './emails.js';
import type { Mailer } from './mailer.js';
import { Recent } from './recent.js';
import { NotifyScheduler, type NotifyTimings } from './scheduler.js';

/**
 * How long a recipient's presence read for one send serves the next sends to it (its own node's changes
 * end that at once; another node's change shows after this): the busy flag may lag by as much.
 */
export const PRESENCE_MS = 2_000;

/** What the module needs from the composition root. */
export interface NotifyDeps {
  readonly store: Store;
  readonly presence: Pick<PresenceService, 'frameOf' | 'onChange'>;
  /** Undefined when no mail server is configured (`--smtp-url`). */
  readonly mailer: Mailer | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly registry: Registry;
  /** `notify.email.set` per account (codes mailed). */
  readonly codeLimit: RateLimit;
  /** The server's public name (host), for the emails. */
  readonly serverName: () => string;
  readonly limits: NotifyTimings & { readonly codeTtlMs: number; readonly codeAttempts: number };
  readonly onError: (err: unknown) => void;
}

/** The notifications module. */
export class NotifyService {
  readonly emails: NotifyEmails;
  private readonly scheduler: NotifyScheduler | undefined;
  /** Schedulings under way (see {@link runNow}). */
  private readonly scheduling = new Set<Promise<void>>();
  /** Recipients' presence as recently read. */
  private readonly recentPresence = new Recent<PresenceState>(PRESENCE_MS);
  /** Counts this node's presence changes, so a read that overlapped one is not remembered. */
  private presenceChanges = 0;

  constructor(private readonly deps: NotifyDeps) {
    deps.presence.onChange((account) => {
      this.presenceChanges++;
      this.recentPresence.delete(account);
    });
    this.emails = new NotifyEmails({
      records: deps.store.notify,
      mailer: deps.mailer,
      clock: deps.clock,
      logger: deps.logger,
      codeLimit: deps.codeLimit,
      serverName: deps.serverName,
      codeTtlMs: deps.limits.codeTtlMs,
      codeAttempts: deps.limits.codeAttempts,
      changed: (account) => this.scheduler?.forget(account),
    });
    if (deps.mailer !== undefined) {
      this.scheduler = new NotifyScheduler({
        store: deps.store,
        mailer: deps.mailer,
        presenceOf: (account) => this.presenceOf(account),
        clock: deps.clock,
        logger: deps.logger,
        timings: deps.limits,
        serverName: deps.serverName,
        counters: {
          sent: deps.registry.register(
            new Counter('sotto_notification_emails_sent_total', 'Notification emails mailed by this node.'),
          ),
          failed: deps.registry.register(
            new Counter(
              'sotto_notification_email_failures_total',
              'Notification emails the mail server did not take (each is tried again later).',
            ),
          ),
        },
        onError: deps.onError,
      });
    }
  }

  /**
   * The relay's hook, called once per accepted send with its `sent` answer (which resolves once the
   * envelopes are stored, or rejects): for a send to another account, the answer says whether that
   * account is busy, and a notification is scheduled (see {@link NotifyScheduler}). Presence is read while
   * the envelopes are written, and remembered for {@link PRESENCE_MS} (this node's own presence changes
   * end that at once), so a busy relay does not read it per message; a failed read only drops the flag.
   * Rejections of `sent` pass through unchanged.
   */
  afterSend(sender: DeviceAddress, to: string, sent: Promise<FrameOf<'sent'>>): Promise<FrameOf<'sent'>> {
    if (to === sender.account) return sent;
    const known = this.recentPresence.get(to);
    if (known !== undefined) return sent.then((answer) => this.answer(to, answer, known));
    const generation = this.presenceChanges;
    const reading = this.presenceOf(to).then(
      (state) => {
        if (generation === this.presenceChanges) this.recentPresence.set(to, state);
        return state;
      },
      (err: unknown) => {
        this.deps.onError(err);
        return undefined;
      },
    );
    return sent.then(async (answer) => {
      const state = await reading;
      return state === undefined ? answer : this.answer(to, answer, state);
    });
  }

  /** The `sent` answer for a send to `to`, whose presence is `state`; schedules its notification. */
  private answer(to: string, answer: FrameOf<'sent'>, state: PresenceState): FrameOf<'sent'> {
    const scheduling = this.scheduler?.stored(to, answer.serverTime, state);
    if (scheduling !== undefined) this.track(scheduling);
    return state === 'busy' ? { ...answer, recipientBusy: true } : answer;
  }

  /**
   * Sends the notifications due now (also run by timers), once the schedulings of sends already answered
   * are written; resolves with how many were mailed.
   */
  async runNow(): Promise<number> {
    await Promise.all(this.scheduling);
    return (await this.scheduler?.runNow()) ?? 0;
  }

  /** Stops the timers, waits for a run under way, and closes the mailer. */
  async close(): Promise<void> {
    await Promise.all(this.scheduling);
    await this.scheduler?.close();
    this.deps.mailer?.close();
  }

  /** Keeps `work` (a scheduling) until it settles, so {@link runNow} can wait for it. */
  private track(work: Promise<void>): void {
    const done: Promise<void> = work.catch(this.deps.onError).finally(() => this.scheduling.delete(done));
    this.scheduling.add(done);
  }

  private async presenceOf(account: string): Promise<PresenceState> {
    return (await this.deps.presence.frameOf(account)).state;
  }
}
