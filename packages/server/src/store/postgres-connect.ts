/**
 * Turns a `postgres://` URL into a connection pool. Two Sotto-specific query parameters: `schema` puts
 * every table in that schema (created if missing) instead of `public`, so one database can hold several
 * deployments or test runs side by side; `pool` sizes the node's connection pool (default
 * {@link DEFAULT_POOL}: a node keeps one batch of sends and one of acks in flight, plus reads, so more
 * mostly helps a node that serves many HTTP uploads or logins at once; keep the sum over all nodes under
 * the server's `max_connections`).
 */
import pg from 'pg';

/** What the PostgreSQL adapter connects with. */
export interface PostgresOptions {
  /** Overrides the URL's `schema` parameter. */
  readonly schema?: string | undefined;
  /** Most connections in the pool (overrides the URL's `pool`; default {@link DEFAULT_POOL}). */
  readonly maxConnections?: number | undefined;
  /** Called with errors of idle pooled connections (the pool replaces them). */
  readonly onError?: ((err: unknown) => void) | undefined;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Connections per node unless the URL's `pool` says otherwise. */
export const DEFAULT_POOL = 10;
/** Most connections `pool` may ask for. */
const MAX_POOL = 200;

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
  const pool = poolSize(parsed.searchParams.get('pool'), options.maxConnections);
  parsed.searchParams.delete('pool');
  if (schema !== undefined && !IDENTIFIER.test(schema)) {
    throw new Error('the PostgreSQL schema name must match [a-z_][a-z0-9_]*');
  }
  // Named, so an operator (or a test) can tell a deployment's connections apart in pg_stat_activity.
  if (!parsed.searchParams.has('application_name')) {
    parsed.searchParams.set('application_name', applicationName(schema));
  }
  const connections = new pg.Pool({
    connectionString: parsed.toString(),
    max: pool,
    // A connection that went idle stays a minute (node-postgres closes it after 10 s by default): a new
    // one costs a backend start and re-preparing the hot statements, which a lull in traffic should not.
    idleTimeoutMillis: 60_000,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  connections.on('error', (err) => options.onError?.(err));
  try {
    if (schema !== undefined) await createSchema(connections, schema);
    else await connections.query('SELECT 1');
  } catch (err) {
    await connections.end();
    throw err;
  }
  return connections;
}

/** The pool size: `maxConnections` when given, else the URL's `pool` (1 to 200), else the default. */
function poolSize(param: string | null, maxConnections: number | undefined): number {
  if (maxConnections !== undefined) return maxConnections;
  if (param === null) return DEFAULT_POOL;
  const n = /^[0-9]{1,3}$/.test(param) ? Number(param) : Number.NaN;
  if (!(n >= 1 && n <= MAX_POOL))
    throw new Error(`the store URL's pool must be a whole number from 1 to ${MAX_POOL}`);
  return n;
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
