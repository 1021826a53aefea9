/**
 * When content-free notifications go out. A message stored for an account with a verified address
 * schedules one, in the store: after a grace delay (short when the account shows as busy), and never
 * sooner than the window after the last one. When it is due, exactly one node takes it (`takeDue` is
 * atomic across nodes) and mails it if it still applies then: the account is busy, or it is offline (no
 * device connected, or appearing offline) and a message received since the scheduling one still waits in
 * a mailbox (none when a device fetched them meanwhile). An account that is online or away gets nothing.
 * A mail server that fails is logged (without the address) and tried again after a delay; nothing here
 * throws into the relay.
 *
 * Deciding at due time, not at send time, keeps the relay's cost per message low: a node touches the
 * store for an account at most once per {@link TOUCH_MS} (a relay sends thousands of messages a second),
 * and presence is read fresh only when a notification is due.
 *
 * Each node wakes up at the soonest due time it knows of, and sweeps every `sweepMs` in any case, so a
 * notification scheduled by a node that died is still sent by another. A node that dies between taking a
 * notification and mailing it loses that one: at most one email, never two.
 */
import type { PresenceState } from '@sotto/protocol';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { DueNotification } from '../../store/notify-records.js';
import type { Store } from '../../store/store.js';
import type { Counter } from '../metrics/registry.js';
import { type Mailer, MailFailure } from './mailer.js';
import { notificationMail } from './mails.js';
import { Recent } from './recent.js';

/** The timings, in ms (server limits `notify*`). */
export interface NotifyTimings {
  /** After a message for an offline account. */
  readonly offlineDelayMs: number;
  /** After a message for a busy account. */
  readonly busyDelayMs: number;
  /** Least time between two notifications to one account. */
  readonly windowMs: number;
  /** After the mail server failed to take one. */
  readonly retryMs: number;
  /** How often every node looks for due notifications. */
  readonly sweepMs: number;
}

/** What the scheduler needs. */
export interface SchedulerDeps {
  readonly store: Pick<Store, 'notify' | 'listDeviceIds' | 'fetchMailbox'>;
  readonly mailer: Mailer;
  /** The account's presence as its contacts see it now. */
  readonly presenceOf: (account: string) => Promise<PresenceState>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly timings: NotifyTimings;
  readonly serverName: () => string;
  /** Notifications mailed, and not mailed because the mail server failed. */
  readonly counters: { readonly sent: Counter; readonly failed: Counter };
  readonly onError: (err: unknown) => void;
}

/**
 * How long after scheduling (or finding nothing to schedule) for an account a node leaves the store alone
 * for that account's next messages: its own changes to the account's address or notifications end it
 * early, another node's take effect after it.
 */
export const TOUCH_MS = 2_000;

/** How many due notifications one run takes at a time. */
const BATCH = 50;
/** Longest a timer is set for (setTimeout's limit is about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Schedules and sends the notifications of this node. */
export class NotifyScheduler {
  private readonly sweep: NodeJS.Timeout;
  private wake: { timer: NodeJS.Timeout; at: number } | undefined;
  private running: Promise<number> | undefined;
  private again = false;
  private closed = false;
  /** Accounts whose row this node scheduled or checked within {@link TOUCH_MS}. */
  private readonly touched = new Recent<true>(TOUCH_MS);

  constructor(private readonly deps: SchedulerDeps) {
    this.sweep = setInterval(() => this.runSoon(), deps.timings.sweepMs);
    this.sweep.unref();
  }

  /**
   * A message for `account`, whose presence looked like `state`, was stored at `receivedAt`: schedules a
   * notification (when the account has a verified address), due sooner when it is busy. Undefined when
   * this node touched the account's row within {@link TOUCH_MS}: nothing to do.
   */
  stored(account: string, receivedAt: number, state: PresenceState): Promise<void> | undefined {
    if (this.closed || this.touched.get(account) !== undefined) return undefined;
    this.touched.set(account, true);
    const t = this.deps.timings;
    const delay = state === 'busy' ? t.busyDelayMs : t.offlineDelayMs;
    const at = this.deps.clock.now() + delay;
    return this.deps.store.notify.schedule(account, receivedAt, at, t.windowMs).then(async (scheduled) => {
      if (scheduled) this.wakeAt(await this.deps.store.notify.nextDue());
    });
  }

  /** The account's address or notifications changed on this node: its next message looks again. */
  forget(account: string): void {
    this.touched.delete(account);
  }

  /** Sends every notification due now; resolves with how many were mailed. */
  runNow(): Promise<number> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    const run = (async () => {
      let sent = 0;
      do {
        this.again = false;
        sent += await this.runOnce();
      } while (this.again && !this.closed);
      return sent;
    })();
    this.running = run.finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Stops the timers and waits for a run under way. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweep);
    if (this.wake !== undefined) clearTimeout(this.wake.timer);
    this.wake = undefined;
    await this.running?.catch(() => undefined);
  }

  private runSoon(): void {
    if (this.closed) return;
    this.runNow().catch(this.deps.onError);
  }

  /** Sets the wake-up timer for `at` unless one is set for sooner. */
  private wakeAt(at: number | undefined): void {
    if (at === undefined || this.closed) return;
    if (this.wake !== undefined) {
      if (this.wake.at <= at) return;
      clearTimeout(this.wake.timer);
    }
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - this.deps.clock.now()));
    const timer = setTimeout(() => {
      this.wake = undefined;
      this.runSoon();
    }, delay);
    timer.unref();
    this.wake = { timer, at };
  }

  private async runOnce(): Promise<number> {
    const notify = this.deps.store.notify;
    let sent = 0;
    for (;;) {
      const due = await notify.takeDue(this.deps.clock.now(), BATCH);
      for (const d of due) if (await this.deliver(d)) sent++;
      if (due.length < BATCH || this.closed) break;
    }
    this.wakeAt(await notify.nextDue());
    return sent;
  }

  /** Mails `d` if it still applies; true when mailed. A failure schedules it again after `retryMs`. */
  private async deliver(d: DueNotification): Promise<boolean> {
    const { deps } = this;
    this.forget(d.account);
    try {
      if (!(await this.stillWaiting(d))) return false;
      await deps.mailer.send(notificationMail(d.address, deps.serverName()));
    } catch (err) {
      if (!(err instanceof MailFailure)) deps.onError(err);
      else {
        deps.counters.failed.inc();
        deps.logger.warn(
          { account: d.account, smtp: { code: err.code, responseCode: err.responseCode } },
          'notification email not sent; trying again later',
        );
      }
      const retry = deps.clock.now() + deps.timings.retryMs;
      await deps.store.notify.schedule(d.account, d.waitingSince, retry, 0).catch(deps.onError);
      return false;
    }
    await deps.store.notify.notified(d.account, deps.clock.now());
    deps.counters.sent.inc();
    deps.logger.info({ account: d.account }, 'notification email sent');
    return true;
  }

  /**
   * True when the account is busy, or offline with a message received at or after `waitingSince` still in
   * one of its mailboxes (an account that is online or away is around: it needs no email).
   */
  private async stillWaiting(d: DueNotification): Promise<boolean> {
    const state = await this.deps.presenceOf(d.account);
    if (state === 'busy') return true;
    if (state !== 'offline') return false;
    for (const deviceId of await this.deps.store.listDeviceIds(d.account)) {
      const waiting = await this.deps.store.fetchMailbox(
        { account: d.account, deviceId },
        0,
        d.waitingSince,
        1,
      );
      if (waiting.length > 0) return true;
    }
    return false;
  }
}
