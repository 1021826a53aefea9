/**
 * State every node of a deployment must agree on: short-lived tokens (OPAQUE login states, login tickets)
 * and rate-limit counters. A single node keeps them in memory ({@link memorySharedState}); several nodes
 * keep them in Redis (`redis-state.ts`), so a login may start on one node and finish on another, and a
 * limit of N per minute is N for the whole deployment, not N per node.
 */

/** Random tokens mapped to values, each expiring `ttlMs` after it was issued. */
export interface TokenStore<T> {
  /** How long a token lives. */
  readonly ttlMs: number;
  /** Stores `value` (JSON-representable) under a fresh random token and returns the token. */
  issue(value: T): Promise<Uint8Array>;
  /** The value of an unexpired token, leaving it in place; undefined when unknown or expired. */
  peek(token: Uint8Array): Promise<T | undefined>;
  /** The value of an unexpired token, removing it atomically (single use across nodes). */
  take(token: Uint8Array): Promise<T | undefined>;
}

/** One limit, e.g. "10 login attempts per minute per account name". */
export interface RateLimit {
  /** Counts one attempt for `key`; resolves false once the limit for the current window is spent. */
  take(key: string): Promise<boolean>;
  /**
   * {@link RateLimit.take} decided at once, where the limit lives in this process; absent for a limit
   * that must ask elsewhere (then call `take`).
   */
  readonly takeNow?: ((key: string) => boolean) | undefined;
}

/** Where tokens and counters live; one per server, closed with it. */
export interface SharedState {
  /**
   * The token store `name` (a namespace, e.g. `login`): tokens of `tokenBytes` random bytes living
   * `ttlMs`. `secret` values may be held for at most 60 s by a shared backend.
   */
  tokens<T>(name: string, options: { ttlMs: number; tokenBytes: number; secret?: boolean }): TokenStore<T>;
  /**
   * The limit `name`: at most `limit` takes per key per `windowMs` (default one minute). A `hot` limit
   * (sends) may be decided from this node's latest view of the shared count, so it costs no round trip
   * per take; takes of the same key on other nodes meanwhile may overshoot by one round trip's worth.
   */
  rateLimit(name: string, limit: number, windowMs?: number, options?: { hot?: boolean }): RateLimit;
  /** Releases connections (the Redis one is closed by its owner). */
  close(): Promise<void>;
}

/** The longest a shared backend keeps secret token values (OPAQUE server login states). */
export const SECRET_TOKEN_MAX_TTL_MS = 60_000;
