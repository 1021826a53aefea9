/** {@link SharedState} in this node's memory: the single-node default. */
import type { Clock } from '../clock.js';
import { RateLimiter } from '../limits/rate-limiter.js';
import { ExpiringTokens } from '../modules/auth/tickets.js';
import type { RateLimit, SharedState, TokenStore } from './shared-state.js';

/** Tokens in an {@link ExpiringTokens} map, behind the async interface. */
class MemoryTokens<T> implements TokenStore<T> {
  private readonly map: ExpiringTokens<T>;
  readonly ttlMs: number;

  constructor(clock: Clock, ttlMs: number, tokenBytes: number) {
    this.map = new ExpiringTokens<T>(clock, ttlMs, tokenBytes);
    this.ttlMs = ttlMs;
  }

  async issue(value: T): Promise<Uint8Array> {
    return this.map.issue(value);
  }

  async peek(token: Uint8Array): Promise<T | undefined> {
    return this.map.peek(token);
  }

  async take(token: Uint8Array): Promise<T | undefined> {
    return this.map.take(token);
  }
}

/**
 * Tokens and limits in memory. Like Redis keys, a name means one store or one limit however often it is
 * asked for (the first call's options hold). Limits are token buckets ({@link RateLimiter}): `limit` at
 * once, refilled evenly over the window, which is at least as strict as the shared fixed window.
 */
export function memorySharedState(clock: Clock): SharedState {
  const stores = new Map<string, MemoryTokens<unknown>>();
  const limits = new Map<string, RateLimit>();
  return {
    tokens: <T>(name: string, o: { ttlMs: number; tokenBytes: number }): TokenStore<T> => {
      let store = stores.get(name);
      if (store === undefined) {
        store = new MemoryTokens<unknown>(clock, o.ttlMs, o.tokenBytes);
        stores.set(name, store);
      }
      return store as TokenStore<T>;
    },
    rateLimit: (name: string, limit: number, windowMs = 60_000): RateLimit => {
      let rl = limits.get(name);
      if (rl === undefined) {
        const bucket = new RateLimiter(clock, limit, 100_000, windowMs);
        rl = { take: async (key) => bucket.take(key), takeNow: (key) => bucket.take(key) };
        limits.set(name, rl);
      }
      return rl;
    },
    close: async () => {},
  };
}
