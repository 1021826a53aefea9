/**
 * {@link FileRecords} on PostgreSQL. A grant takes a transaction-scoped advisory lock on its account, so
 * the quota check and the insert of nodes racing for one account happen one after the other.
 */
import type pg from 'pg';
import type { FileRecord, FileRecords, FileUsage, NewFileGrant } from './file-records.js';
import { queryChanges, queryRows } from './postgres-query.js';
import { int, text, toFileRecord } from './sqlite-rows.js';

/** The statements, by name (`files` table, migration 5). */
const SQL = {
  lockAccount: 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))',
  usedBy: 'SELECT COALESCE(SUM(COALESCE(size, max_size)), 0) AS n FROM files WHERE account = $1',
  insert: `INSERT INTO files (id, account, token_hash, max_size, state, created_at, token_expires_at, expires_at)
     VALUES ($1, $2, $3, $4, 'authorized', $5, $6, $6)`,
  byToken: 'SELECT * FROM files WHERE token_hash = $1',
  get: 'SELECT * FROM files WHERE id = $1',
  claim: `UPDATE files SET state = 'uploading', size = $2
     WHERE id = $1 AND state = 'authorized' AND token_expires_at > $3 AND max_size >= $2`,
  unclaim: `UPDATE files SET state = 'authorized', size = NULL WHERE id = $1 AND state = 'uploading'`,
  complete: `UPDATE files SET state = 'complete', completed_at = $2, expires_at = $3
     WHERE id = $1 AND state = 'uploading'`,
  delete: 'DELETE FROM files WHERE id = $1',
  deleteOwn: 'DELETE FROM files WHERE id = $1 AND account = $2',
  expired: 'SELECT * FROM files WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2',
  page: 'SELECT * FROM files WHERE id COLLATE "C" > $1 ORDER BY id COLLATE "C" LIMIT $2',
  existing: 'SELECT id FROM files WHERE id = ANY($1::text[])',
  usage: `SELECT
       COUNT(*) FILTER (WHERE state = 'complete') AS files,
       COALESCE(SUM(size) FILTER (WHERE state = 'complete'), 0) AS bytes,
       COUNT(*) FILTER (WHERE state <> 'complete') AS uploads
     FROM files`,
} as const;

const bytesParam = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const accountLock = (account: string) => JSON.stringify(['files', account]);

/** {@link FileRecords} over a node-postgres pool (owned by the `PostgresStore`). */
export class PostgresFileRecords implements FileRecords {
  constructor(private readonly pool: pg.Pool) {}

  async authorize(grant: NewFileGrant, quotaBytes: number): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(SQL.lockAccount, [accountLock(grant.account)]);
      const used = int((await client.query(SQL.usedBy, [grant.account])).rows[0]?.n ?? 0);
      if (used + grant.maxSize > quotaBytes) {
        await client.query('ROLLBACK');
        return false;
      }
      await client.query(SQL.insert, [
        grant.id,
        grant.account,
        bytesParam(grant.tokenHash),
        grant.maxSize,
        grant.createdAt,
        grant.tokenExpiresAt,
      ]);
      await client.query('COMMIT');
      return true;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async byToken(tokenHash: Uint8Array): Promise<FileRecord | undefined> {
    const [r] = await queryRows(this.pool, SQL.byToken, [bytesParam(tokenHash)]);
    return r === undefined ? undefined : toFileRecord(r);
  }

  async get(id: string): Promise<FileRecord | undefined> {
    const [r] = await queryRows(this.pool, SQL.get, [id]);
    return r === undefined ? undefined : toFileRecord(r);
  }

  async claim(id: string, size: number, now: number): Promise<boolean> {
    return (await queryChanges(this.pool, SQL.claim, [id, size, now])) === 1;
  }

  async unclaim(id: string): Promise<void> {
    await this.pool.query(SQL.unclaim, [id]);
  }

  async complete(id: string, now: number, expiresAt: number): Promise<boolean> {
    return (await queryChanges(this.pool, SQL.complete, [id, now, expiresAt])) === 1;
  }

  async delete(id: string, account?: string): Promise<boolean> {
    const n =
      account === undefined
        ? await queryChanges(this.pool, SQL.delete, [id])
        : await queryChanges(this.pool, SQL.deleteOwn, [id, account]);
    return n > 0;
  }

  async expired(now: number, limit: number): Promise<FileRecord[]> {
    return (await queryRows(this.pool, SQL.expired, [now, limit])).map(toFileRecord);
  }

  async page(afterId: string, limit: number): Promise<FileRecord[]> {
    return (await queryRows(this.pool, SQL.page, [afterId, limit])).map(toFileRecord);
  }

  async existing(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    return new Set((await queryRows(this.pool, SQL.existing, [ids])).map((r) => text(r.id)));
  }

  async usage(): Promise<FileUsage> {
    const [r] = await queryRows(this.pool, SQL.usage, []);
    return { files: int(r?.files ?? 0), bytes: int(r?.bytes ?? 0), uploads: int(r?.uploads ?? 0) };
  }
}
