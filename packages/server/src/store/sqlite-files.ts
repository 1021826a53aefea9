/**
 * {@link FileRecords} on SQLite. The quota check and the insert of a grant share one IMMEDIATE
 * transaction, which holds the file's write lock: processes sharing the file cannot both pass the check.
 */
import type Database from 'better-sqlite3';
import type { FileRecord, FileRecords, FileUsage, NewFileGrant } from './file-records.js';
import { int, type Row, text, toFileRecord } from './sqlite-rows.js';

/** The statements, by name (`files` table, migration 5). */
const SQL = {
  usedBy: 'SELECT COALESCE(SUM(COALESCE(size, max_size)), 0) AS n FROM files WHERE account = ?',
  insert: `INSERT INTO files (id, account, token_hash, max_size, state, created_at, token_expires_at, expires_at)
     VALUES (@id, @account, @tokenHash, @maxSize, 'authorized', @createdAt, @tokenExpiresAt, @tokenExpiresAt)`,
  byToken: 'SELECT * FROM files WHERE token_hash = ?',
  get: 'SELECT * FROM files WHERE id = ?',
  claim: `UPDATE files SET state = 'uploading', size = @size
     WHERE id = @id AND state = 'authorized' AND token_expires_at > @now AND max_size >= @size`,
  unclaim: `UPDATE files SET state = 'authorized', size = NULL WHERE id = ? AND state = 'uploading'`,
  complete: `UPDATE files SET state = 'complete', completed_at = @now, expires_at = @expiresAt
     WHERE id = @id AND state = 'uploading'`,
  delete: 'DELETE FROM files WHERE id = ?',
  deleteOwn: 'DELETE FROM files WHERE id = ? AND account = ?',
  expired: 'SELECT * FROM files WHERE expires_at <= ? ORDER BY expires_at LIMIT ?',
  page: 'SELECT * FROM files WHERE id > ? ORDER BY id LIMIT ?',
  usage: `SELECT
       COALESCE(SUM(CASE WHEN state = 'complete' THEN 1 ELSE 0 END), 0) AS files,
       COALESCE(SUM(CASE WHEN state = 'complete' THEN size ELSE 0 END), 0) AS bytes,
       COALESCE(SUM(CASE WHEN state = 'complete' THEN 0 ELSE 1 END), 0) AS uploads
     FROM files`,
} as const;

/** The most ids one `existing` query binds (SQLite's default limit on parameters is 32,766). */
const IDS_PER_QUERY = 500;

/** {@link FileRecords} over a better-sqlite3 connection (owned by the `SqliteStore`). */
export class SqliteFileRecords implements FileRecords {
  private readonly q: { readonly [K in keyof typeof SQL]: Database.Statement };
  private readonly authorizeTx;

  constructor(private readonly db: Database.Database) {
    const q: Record<string, Database.Statement> = {};
    for (const [name, sql] of Object.entries(SQL)) q[name] = db.prepare(sql);
    this.q = q as SqliteFileRecords['q'];
    this.authorizeTx = db.transaction((grant: NewFileGrant, quotaBytes: number): boolean => {
      const used = int((this.q.usedBy.get(grant.account) as Row).n);
      if (used + grant.maxSize > quotaBytes) return false;
      this.q.insert.run(grant);
      return true;
    });
  }

  async authorize(grant: NewFileGrant, quotaBytes: number): Promise<boolean> {
    return this.authorizeTx.immediate(grant, quotaBytes);
  }

  async byToken(tokenHash: Uint8Array): Promise<FileRecord | undefined> {
    const r = this.q.byToken.get(tokenHash) as Row | undefined;
    return r === undefined ? undefined : toFileRecord(r);
  }

  async get(id: string): Promise<FileRecord | undefined> {
    const r = this.q.get.get(id) as Row | undefined;
    return r === undefined ? undefined : toFileRecord(r);
  }

  async claim(id: string, size: number, now: number): Promise<boolean> {
    return this.q.claim.run({ id, size, now }).changes === 1;
  }

  async unclaim(id: string): Promise<void> {
    this.q.unclaim.run(id);
  }

  async complete(id: string, now: number, expiresAt: number): Promise<boolean> {
    return this.q.complete.run({ id, now, expiresAt }).changes === 1;
  }

  async delete(id: string, account?: string): Promise<boolean> {
    const res = account === undefined ? this.q.delete.run(id) : this.q.deleteOwn.run(id, account);
    return res.changes > 0;
  }

  async expired(now: number, limit: number): Promise<FileRecord[]> {
    return (this.q.expired.all(now, limit) as Row[]).map(toFileRecord);
  }

  async page(afterId: string, limit: number): Promise<FileRecord[]> {
    return (this.q.page.all(afterId, limit) as Row[]).map(toFileRecord);
  }

  async existing(ids: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const batch = ids.slice(i, i + IDS_PER_QUERY);
      const sql = `SELECT id FROM files WHERE id IN (${batch.map(() => '?').join(', ')})`;
      for (const r of this.db.prepare(sql).all(...batch) as Row[]) out.add(text(r.id));
    }
    return out;
  }

  async usage(): Promise<FileUsage> {
    const r = this.q.usage.get() as Row;
    return { files: int(r.files), bytes: int(r.bytes), uploads: int(r.uploads) };
  }
}
