/**
 * {@link NotifyRecords} on SQLite (`notify_emails`, migration 8). Each step is one statement, and SQLite
 * runs one writer at a time, so a try of a code and the taking of a due notification are atomic.
 */
import type Database from 'better-sqlite3';
import type { DueNotification, NotifyEmail, NotifyRecords, PendingCode } from './notify-records.js';
import { bytes, int, type Row, text } from './sqlite-rows.js';

/** The statements, by name. */
const SQL = {
  get: 'SELECT account, address, verified, notified_at, due_at FROM notify_emails WHERE account = ?',
  set: `INSERT INTO notify_emails (account, address, verified, code_hash, code_expires_at, code_attempts)
     VALUES (@account, @address, 0, @hash, @expiresAt, 0)
     ON CONFLICT (account) DO UPDATE SET address = excluded.address, verified = 0,
       code_hash = excluded.code_hash, code_expires_at = excluded.code_expires_at, code_attempts = 0,
       waiting_since = NULL, due_at = NULL`,
  tryCode: `UPDATE notify_emails SET code_attempts = code_attempts + 1
     WHERE account = @account AND verified = 0 AND code_hash IS NOT NULL
       AND code_expires_at > @now AND code_attempts < @maxAttempts
     RETURNING code_hash`,
  confirm: `UPDATE notify_emails SET verified = 1, code_hash = NULL, code_expires_at = NULL
     WHERE account = ? AND verified = 0 AND code_hash = ?`,
  remove: 'DELETE FROM notify_emails WHERE account = ?',
  schedule: `UPDATE notify_emails
     SET waiting_since = CASE WHEN due_at IS NULL THEN @since ELSE waiting_since END,
       due_at = MAX(@dueAt, COALESCE(notified_at + @windowMs, @dueAt))
     WHERE account = @account AND verified = 1
       AND (due_at IS NULL OR due_at > MAX(@dueAt, COALESCE(notified_at + @windowMs, @dueAt)))`,
  takeDue: `UPDATE notify_emails SET due_at = NULL
     WHERE account IN (SELECT account FROM notify_emails WHERE due_at <= @now ORDER BY due_at LIMIT @limit)
     RETURNING account, address, waiting_since`,
  notified: 'UPDATE notify_emails SET notified_at = ? WHERE account = ?',
  nextDue: 'SELECT MIN(due_at) AS due FROM notify_emails WHERE due_at IS NOT NULL',
} as const;

const optionalInt = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : int(v));

/** A `notify_emails` row as a {@link NotifyEmail}. */
export function toNotifyEmail(r: Row): NotifyEmail {
  return {
    account: text(r.account),
    address: text(r.address),
    verified: int(r.verified) === 1,
    notifiedAt: optionalInt(r.notified_at),
    dueAt: optionalInt(r.due_at),
  };
}

/** A taken row as a {@link DueNotification}. */
export function toDue(r: Row): DueNotification {
  return { account: text(r.account), address: text(r.address), waitingSince: int(r.waiting_since) };
}

/** {@link NotifyRecords} over a better-sqlite3 connection (owned by the `SqliteStore`). */
export class SqliteNotifyRecords implements NotifyRecords {
  private readonly q: { readonly [K in keyof typeof SQL]: Database.Statement };

  constructor(db: Database.Database) {
    const q: Record<string, Database.Statement> = {};
    for (const [name, sql] of Object.entries(SQL)) q[name] = db.prepare(sql);
    this.q = q as SqliteNotifyRecords['q'];
  }

  async get(account: string): Promise<NotifyEmail | undefined> {
    const r = this.q.get.get(account) as Row | undefined;
    return r === undefined ? undefined : toNotifyEmail(r);
  }

  async setAddress(account: string, address: string, code: PendingCode): Promise<void> {
    this.q.set.run({ account, address, hash: code.hash, expiresAt: code.expiresAt });
  }

  async tryCode(account: string, now: number, maxAttempts: number): Promise<Uint8Array | undefined> {
    const r = this.q.tryCode.get({ account, now, maxAttempts }) as Row | undefined;
    return r === undefined ? undefined : bytes(r.code_hash);
  }

  async confirm(account: string, hash: Uint8Array): Promise<boolean> {
    return this.q.confirm.run(account, hash).changes === 1;
  }

  async remove(account: string): Promise<boolean> {
    return this.q.remove.run(account).changes > 0;
  }

  async schedule(account: string, waitingSince: number, dueAt: number, windowMs: number): Promise<boolean> {
    return this.q.schedule.run({ account, since: waitingSince, dueAt, windowMs }).changes === 1;
  }

  async takeDue(now: number, limit: number): Promise<DueNotification[]> {
    return (this.q.takeDue.all({ now, limit }) as Row[]).map(toDue);
  }

  async notified(account: string, at: number): Promise<void> {
    this.q.notified.run(at, account);
  }

  async nextDue(): Promise<number | undefined> {
    return optionalInt((this.q.nextDue.get() as Row | undefined)?.due);
  }
}
