/**
 * Turns a `postgres://` URL into a connection pool. One Sotto-specific query parameter, `schema`, puts
 * every table in that schema (created if missing) instead of `public`, so one database can hold several
 * deployments or test runs side by side.
 */
import pg from 'pg';

/** What the PostgreSQL adapter connects with. */
export interface PostgresOptions {
  /** Overrides the URL's `schema` parameter. */
  readonly schema?: string | undefined;
  /** Most connections in the pool (default 10). */
  readonly maxConnections?: number | undefined;
  /** Called with errors of idle pooled connections (the pool replaces them). */
  readonly onError?: ((err: unknown) => void) | undefined;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** True for a URL this adapter accepts (`postgres://` or `postgresql://`). */
export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//.test(url);

/**
 * Opens a pool on `url`, with `search_path` set to the schema when one is named, and creates the schema.
 * Throws on a bad URL or schema name, or when the database does not answer.
 */
export async function connectPostgres(url: string, options: PostgresOptions = {}): Promise<pg.Pool> {
  if (!isPostgresUrl(url)) throw new Error('the store URL must start with postgres:// or postgresql://');
  const parsed = new URL(url);
  const schema = options.schema ?? parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  if (schema !== undefined && !IDENTIFIER.test(schema)) {
    throw new Error('the PostgreSQL schema name must match [a-z_][a-z0-9_]*');
  }
  // Named, so an operator (or a test) can tell a deployment's connections apart in pg_stat_activity.
  if (!parsed.searchParams.has('application_name')) {
    parsed.searchParams.set('application_name', applicationName(schema));
  }
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    max: options.maxConnections ?? 10,
    // A connection that went idle stays a minute (node-postgres closes it after 10 s by default): a new
    // one costs a backend start and re-preparing the hot statements, which a lull in traffic should not.
    idleTimeoutMillis: 60_000,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  pool.on('error', (err) => options.onError?.(err));
  try {
    if (schema !== undefined) await createSchema(pool, schema);
    else await pool.query('SELECT 1');
  } catch (err) {
    await pool.end();
    throw err;
  }
  return pool;
}

/** The `application_name` of a deployment's connections (unless the URL names one): `sotto-SCHEMA`. */
export const applicationName = (schema: string | undefined): string =>
  `sotto-${schema ?? 'public'}`.slice(0, 63);

/** `CREATE SCHEMA IF NOT EXISTS` can still fail when two nodes run it at the same moment: that is fine. */
async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== '42P06' && code !== '23505') throw err;
  }
}
