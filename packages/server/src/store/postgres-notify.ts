/**
 * {@link NotifyRecords} on PostgreSQL (`notify_emails`, migration 8). A try of a code is one conditional
 * `UPDATE … RETURNING` (row-locked: tries from several nodes are counted one after the other), and taking
 * due notifications locks the rows it takes and skips those another node is taking, so each is taken once.
 */
import type pg from 'pg';
import type { DueNotification, NotifyEmail, NotifyRecords, PendingCode } from './notify-records.js';
import { queryChanges, queryRows } from './postgres-query.js';
import { toDue, toNotifyEmail } from './sqlite-notify.js';
import { bytes, int } from './sqlite-rows.js';

/** The statements, by name. */
const SQL = {
  get: 'SELECT account, address, verified, notified_at, due_at FROM notify_emails WHERE account = $1',
  set: `INSERT INTO notify_emails (account, address, verified, code_hash, code_expires_at, code_attempts)
     VALUES ($1, $2, 0, $3, $4, 0)
     ON CONFLICT (account) DO UPDATE SET address = excluded.address, verified = 0,
       code_hash = excluded.code_hash, code_expires_at = excluded.code_expires_at, code_attempts = 0,
       waiting_since = NULL, due_at = NULL`,
  tryCode: `UPDATE notify_emails SET code_attempts = code_attempts + 1
     WHERE account = $1 AND verified = 0 AND code_hash IS NOT NULL
       AND code_expires_at > $2 AND code_attempts < $3
     RETURNING code_hash`,
  confirm: `UPDATE notify_emails SET verified = 1, code_hash = NULL, code_expires_at = NULL
     WHERE account = $1 AND verified = 0 AND code_hash = $2`,
  remove: 'DELETE FROM notify_emails WHERE account = $1',
  schedule: `UPDATE notify_emails
     SET waiting_since = CASE WHEN due_at IS NULL THEN $2 ELSE waiting_since END,
       due_at = GREATEST($3::bigint, COALESCE(notified_at + $4::bigint, $3::bigint))
     WHERE account = $1 AND verified = 1
       AND (due_at IS NULL OR due_at > GREATEST($3::bigint, COALESCE(notified_at + $4::bigint, $3::bigint)))`,
  takeDue: `UPDATE notify_emails SET due_at = NULL
     WHERE account IN (
       SELECT account FROM notify_emails WHERE due_at <= $1 ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED
     )
     RETURNING account, address, waiting_since`,
  notified: 'UPDATE notify_emails SET notified_at = $2 WHERE account = $1',
  nextDue: 'SELECT MIN(due_at) AS due FROM notify_emails WHERE due_at IS NOT NULL',
} as const;

const bytesParam = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** {@link NotifyRecords} over a node-postgres pool (owned by the `PostgresStore`). */
export class PostgresNotifyRecords implements NotifyRecords {
  constructor(private readonly pool: pg.Pool) {}

  async get(account: string): Promise<NotifyEmail | undefined> {
    const [r] = await queryRows(this.pool, SQL.get, [account]);
    return r === undefined ? undefined : toNotifyEmail(r);
  }

  async setAddress(account: string, address: string, code: PendingCode): Promise<void> {
    await this.pool.query(SQL.set, [account, address, bytesParam(code.hash), code.expiresAt]);
  }

  async tryCode(account: string, now: number, maxAttempts: number): Promise<Uint8Array | undefined> {
    const [r] = await queryRows(this.pool, SQL.tryCode, [account, now, maxAttempts]);
    return r === undefined ? undefined : bytes(r.code_hash);
  }

  async confirm(account: string, hash: Uint8Array): Promise<boolean> {
    return (await queryChanges(this.pool, SQL.confirm, [account, bytesParam(hash)])) === 1;
  }

  async remove(account: string): Promise<boolean> {
    return (await queryChanges(this.pool, SQL.remove, [account])) > 0;
  }

  async schedule(account: string, waitingSince: number, dueAt: number, windowMs: number): Promise<boolean> {
    return (await queryChanges(this.pool, SQL.schedule, [account, waitingSince, dueAt, windowMs])) === 1;
  }

  async takeDue(now: number, limit: number): Promise<DueNotification[]> {
    return (await queryRows(this.pool, SQL.takeDue, [now, limit])).map(toDue);
  }

  async notified(account: string, at: number): Promise<void> {
    await this.pool.query(SQL.notified, [account, at]);
  }

  async nextDue(): Promise<number | undefined> {
    const [r] = await queryRows(this.pool, SQL.nextDue, []);
    return r?.due === null || r?.due === undefined ? undefined : int(r.due);
  }
}
