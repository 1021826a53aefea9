/**
 * The few ways the PostgreSQL records talk to node-postgres: a statement's rows, its first row, how many
 * rows it changed, and a transaction on one pooled connection that rolls back when its work throws.
 */
import type pg from 'pg';
import type { Row } from './sqlite-rows.js';

/** A pool or one of its connections (inside a transaction). */
export type Queryable = Pick<pg.Pool, 'query'>;

/** The rows `sql` returns. */
export async function queryRows(q: Queryable, sql: string, params: unknown[] = []): Promise<Row[]> {
  return (await q.query(sql, params)).rows as Row[];
}

/** The first row `sql` returns, if any. */
export async function queryOne(q: Queryable, sql: string, params: unknown[] = []): Promise<Row | undefined> {
  return (await queryRows(q, sql, params))[0];
}

/** How many rows `sql` inserted, changed or deleted. */
export async function queryChanges(q: Queryable, sql: string, params: unknown[] = []): Promise<number> {
  return (await q.query(sql, params)).rowCount ?? 0;
}

/** Runs `fn` in one transaction on one connection of `pool`; rolls back (and rethrows) when it throws. */
export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
