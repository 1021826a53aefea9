/**
 * {@link SharedState} in Redis, for several nodes. Tokens are `SET key value PX ttl NX` and are read
 * with `GET` (peek) or `GETDEL` (take, so a login state is used by one node at most once). The Redis key
 * is the SHA-256 of the token, so a look at Redis does not yield a usable ticket. Secret values (OPAQUE
 * server login states) live at most {@link SECRET_TOKEN_MAX_TTL_MS} and only here: never in the store,
 * never in a log. Limits are fixed windows: `INCRBY` then `PEXPIRE … NX` in one MULTI, so the window
 * starts at a key's first attempt and a burst straddling two windows may reach twice the limit.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisHotRateLimit } from './redis-hot-limit.js';
import {
  type RateLimit,
  SECRET_TOKEN_MAX_TTL_MS,
  type SharedState,
  type TokenStore,
} from './shared-state.js';

/** Tokens under `<prefix>:tok:<name>:<sha256(token)>`. */
class RedisTokens<T> implements TokenStore<T> {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    readonly ttlMs: number,
    private readonly tokenBytes: number,
  ) {}

  private key(token: Uint8Array): string {
    return `${this.keyPrefix}${createHash('sha256').update(token).digest('hex')}`;
  }

  async issue(value: T): Promise<Uint8Array> {
    const json = JSON.stringify(value);
    // NX: a fresh random token never collides in practice; if one did, draw again rather than overwrite.
    for (let attempt = 0; attempt < 3; attempt++) {
      const token = new Uint8Array(randomBytes(this.tokenBytes));
      if ((await this.redis.set(this.key(token), json, 'PX', this.ttlMs, 'NX')) === 'OK') return token;
    }
    throw new Error('could not store a fresh token');
  }

  async peek(token: Uint8Array): Promise<T | undefined> {
    return parse<T>(await this.redis.get(this.key(token)));
  }

  async take(token: Uint8Array): Promise<T | undefined> {
    return parse<T>(await this.redis.getdel(this.key(token)));
  }
}

/** Our own JSON back from Redis (written by {@link RedisTokens.issue}). */
function parse<T>(json: string | null): T | undefined {
  return json === null ? undefined : (JSON.parse(json) as T);
}

/** One pending `take`. */
interface Waiter {
  resolve(ok: boolean): void;
  reject(err: unknown): void;
}

/**
 * A fixed-window counter under `<prefix>:rl:<name>:<key>`. The takes of one event-loop turn are counted
 * together (one MULTI of `INCRBY n` + `PEXPIRE … NX` per key for the whole turn), and the i-th take of a
 * key in the turn is granted when the count before the turn plus i is below the limit: exact like one
 * `INCR` per take, at one round trip per turn instead of one per take (every `send` takes one).
 */
class RedisRateLimit implements RateLimit {
  private batch = new Map<string, Waiter[]>();
  private scheduled = false;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  take(key: string): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      let waiters = this.batch.get(key);
      if (waiters === undefined) {
        waiters = [];
        this.batch.set(key, waiters);
      }
      waiters.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = [...this.batch];
    this.batch = new Map();
    const multi = this.redis.multi();
    for (const [key, waiters] of batch) {
      const k = `${this.keyPrefix}${key}`;
      multi.incrby(k, waiters.length).pexpire(k, this.windowMs, 'NX');
    }
    multi.exec().then(
      (replies) => {
        batch.forEach(([, waiters], i) => {
          const total = replies?.[2 * i]?.[1];
          if (typeof total !== 'number') {
            for (const w of waiters) w.reject(new Error('rate-limit counter did not answer'));
            return;
          }
          const before = total - waiters.length;
          waiters.forEach((w, j) => {
            w.resolve(before + j < this.limit);
          });
        });
      },
      (err: unknown) => {
        for (const [, waiters] of batch) for (const w of waiters) w.reject(err);
      },
    );
  }
}

/**
 * Tokens and limits in `redis` under `prefix` (the deployment's bus channel). The connection belongs to
 * the caller, who closes it.
 */
export function redisSharedState(redis: Redis, prefix: string): SharedState {
  return {
    tokens: <T>(name: string, o: { ttlMs: number; tokenBytes: number; secret?: boolean }) =>
      new RedisTokens<T>(
        redis,
        `${prefix}:tok:${name}:`,
        o.secret === true ? Math.min(o.ttlMs, SECRET_TOKEN_MAX_TTL_MS) : o.ttlMs,
        o.tokenBytes,
      ),
    rateLimit: (name: string, limit: number, windowMs = 60_000, options: { hot?: boolean } = {}) =>
      options.hot === true
        ? new RedisHotRateLimit(redis, `${prefix}:rl:${name}:`, limit, windowMs)
        : new RedisRateLimit(redis, `${prefix}:rl:${name}:`, limit, windowMs),
    close: async () => {},
  };
}
