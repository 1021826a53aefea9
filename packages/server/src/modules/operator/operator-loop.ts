/**
 * What every node does for the operator, every `operatorPollMs`: closes its connections of accounts the
 * operator disabled (close 4004) or deleted (4003) since the last look (`sotto-server admin` runs as
 * another process, possibly on another machine: the store's `account_events` is what they share, so
 * this works on SQLite and PostgreSQL alike, with or without Redis); adds the messages it relayed to the
 * day's counts; and reports how many devices it holds, for `admin stats`.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { AdminRecords } from '../../store/admin-records.js';
import { CLOSE } from '../../ws/connection.js';
import type { LiveDevices } from './live-devices.js';

/** Events read per query; a longer backlog is read in several. */
const EVENTS_PER_READ = 100;
/** A node silent for this long is forgotten by the others' reports. */
const FORGET_NODES_AFTER_MS = 24 * 60 * 60_000;

/** The UTC day of `ms` as `YYYY-MM-DD`. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** What the loop reads and writes. */
export interface OperatorLoopDeps {
  readonly admin: AdminRecords;
  readonly live: LiveDevices;
  readonly clock: Clock;
  readonly logger: Logger;
  /** This process's running totals since it started: `send` frames stored and envelopes stored. */
  readonly totals: () => { readonly sends: number; readonly envelopes: number };
  readonly version: string;
}

/** The node's side of the operator's work. */
export class OperatorLoop {
  /** Random per process start: this node's row in `nodes`. */
  readonly node = randomBytes(6).toString('hex');
  private readonly startedAt: number;
  private lastSeq = 0;
  private flushed = { sends: 0, envelopes: 0 };

  constructor(private readonly deps: OperatorLoopDeps) {
    this.startedAt = deps.clock.now();
  }

  /** Starts watching from the newest event (older ones concern connections this node never had). */
  async start(): Promise<void> {
    this.lastSeq = await this.deps.admin.lastAccountEvent();
    await this.report();
  }

  /** One round: close what the operator shut, add the counts, report. Throws what the store throws. */
  async tick(): Promise<void> {
    await this.watch();
    await this.flush();
    await this.report();
  }

  /** Flushes the counts and forgets this node (it is stopping). */
  async stop(): Promise<void> {
    await this.flush();
    await this.deps.admin.removeNode(this.node);
  }

  private async watch(): Promise<void> {
    for (;;) {
      const events = await this.deps.admin.accountEvents(this.lastSeq, EVENTS_PER_READ);
      for (const e of events) {
        this.lastSeq = e.seq;
        if (e.action === 'enabled') continue;
        const code = e.action === 'disabled' ? CLOSE.disabled : CLOSE.revoked;
        const closed = this.deps.live.closeAccount(e.account, code, `account ${e.action}`);
        if (closed > 0) {
          this.deps.logger.info({ account: e.account, connections: closed }, `closed: account ${e.action}`);
        }
      }
      if (events.length < EVENTS_PER_READ) return;
    }
  }

  private async flush(): Promise<void> {
    const now = this.deps.totals();
    const sends = now.sends - this.flushed.sends;
    const envelopes = now.envelopes - this.flushed.envelopes;
    if (sends <= 0 && envelopes <= 0) return;
    await this.deps.admin.addDailyCounts(utcDay(this.deps.clock.now()), sends, envelopes);
    this.flushed = now;
  }

  private async report(): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.admin.reportNode(
      {
        node: this.node,
        devices: this.deps.live.size,
        startedAt: this.startedAt,
        updatedAt: now,
        version: this.deps.version,
      },
      now - FORGET_NODES_AFTER_MS,
    );
  }
}
