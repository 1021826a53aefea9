/**
 * The external services some suites need (PostgreSQL, Redis, on 127.0.0.1 by default). When one does not
 * answer, the suite FAILS if `CI` is set (a missing service must never turn into a green run) and is
 * skipped with the reason in its name otherwise.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, it } from 'vitest';

/** The PostgreSQL test database (override with `SOTTO_TEST_POSTGRES`). */
export const POSTGRES_URL = process.env.SOTTO_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The Redis test server (override with `SOTTO_TEST_REDIS`). */
export const REDIS_URL = process.env.SOTTO_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/** A service a suite may need. */
export type Service = 'postgres' | 'redis';

/** Undefined when the service answers, else why not. */
async function probe(service: Service): Promise<string | undefined> {
  try {
    if (service === 'postgres') {
      const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3_000 });
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
    } else {
      const redis = new Redis(REDIS_URL, {
        lazyConnect: true,
        connectTimeout: 3_000,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      try {
        await redis.connect();
        await redis.ping();
      } finally {
        redis.disconnect();
      }
    }
    return undefined;
  } catch (err) {
    const url = service === 'postgres' ? POSTGRES_URL : REDIS_URL;
    return `${service} at ${url} does not answer (${(err as Error).message || String(err)})`;
  }
}

const probes = new Map<Service, Promise<string | undefined>>();

/** Why `services` are not all available, or undefined when they are (probed once per test file). */
export async function unavailable(services: readonly Service[]): Promise<string | undefined> {
  for (const s of services) {
    let p = probes.get(s);
    if (p === undefined) {
      p = probe(s);
      probes.set(s, p);
    }
    const reason = await p;
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/**
 * `describe(name, body)` when `services` answer. Otherwise: under `CI`, a suite with one failing test
 * that names the missing service; locally, a skipped suite whose name says why.
 */
export async function describeWith(
  services: readonly Service[],
  name: string,
  body: () => void,
): Promise<void> {
  const reason = await unavailable(services);
  if (reason === undefined) describe(name, body);
  else if (process.env.CI) {
    describe(name, () => {
      it(`needs ${services.join(' and ')}`, () => {
        throw new Error(`${reason}; CI is set, so this suite fails instead of skipping`);
      });
    });
  } else describe.skip(`${name} (skipped: ${reason})`, body);
}

/** A fresh PostgreSQL schema name for one test (`sotto_test_<random>`). */
export const testSchemaName = (): string => `sotto_test_${randomBytes(6).toString('hex')}`;

/** The test database URL with `schema` selected (the store creates it). */
export const postgresUrlWithSchema = (schema: string): string => {
  const u = new URL(POSTGRES_URL);
  u.searchParams.set('schema', schema);
  return u.toString();
};

/** The test Redis URL with `channel` selected (a deployment's channel and key prefix). */
export const redisUrlWithChannel = (channel: string): string => {
  const u = new URL(REDIS_URL);
  u.searchParams.set('channel', channel);
  return u.toString();
};

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** Deletes every Redis key under `prefix` (a test's channel: presence hashes, node heartbeats). */
export async function dropRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
