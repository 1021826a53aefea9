/**
 * A Redis fixed-window limit for the hot path (every `send` takes one). The first take of a key in a window
 * waits for Redis (`INCRBY`); later takes are decided from the
 * count Redis last reported plus what this node granted since, and are sent to Redis once per event-loop
 * turn for all keys together (one MULTI of `INCRBY n` + `PEXPIRE … NX` + `PTTL` per key). A device sends on
 * one connection, so on one node at a time, and its count is exact in practice; takes on other nodes are
 * seen within one round trip.
 */
import type { Redis } from 'ioredis';
import type { RateLimit } from './shared-state.js';

/** One take waiting for Redis. */
interface Waiter {
  resolve(ok: boolean): void;
  reject(err: unknown): void;
}

/** What a key gathered this turn: takes granted here, and takes waiting for Redis. */
interface Pending {
  granted: number;
  readonly waiters: Waiter[];
}

/** See the module comment. */
export class RedisHotRateLimit implements RateLimit {
  private pending = new Map<string, Pending>();
  /** Takes granted here and sent to Redis, whose answer has not come back. */
  private readonly inflight = new Map<string, number>();
  /** The count Redis last reported per key, and when that window ends (this node's clock). */
  private readonly shared = new Map<string, { count: number; until: number }>();
  private scheduled = false;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  take(key: string): Promise<boolean> {
    let p = this.pending.get(key);
    if (p === undefined) {
      p = { granted: 0, waiters: [] };
      this.pending.set(key, p);
    }
    const s = this.shared.get(key);
    if (s === undefined || s.until <= Date.now() || p.waiters.length > 0) {
      const waiters = p.waiters;
      this.schedule();
      return new Promise<boolean>((resolve, reject) => waiters.push({ resolve, reject }));
    }
    if (s.count + p.granted + (this.inflight.get(key) ?? 0) >= this.limit) return Promise.resolve(false);
    p.granted++;
    this.schedule();
    return Promise.resolve(true);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const batch = [...this.pending].filter(([, p]) => p.granted + p.waiters.length > 0);
    this.pending = new Map();
    const now = Date.now();
    for (const [k, s] of this.shared) if (s.until <= now) this.shared.delete(k);
    if (batch.length === 0) return;
    const multi = this.redis.multi();
    for (const [key, p] of batch) {
      this.inflight.set(key, (this.inflight.get(key) ?? 0) + p.granted);
      const k = `${this.keyPrefix}${key}`;
      multi
        .incrby(k, p.granted + p.waiters.length)
        .pexpire(k, this.windowMs, 'NX')
        .pttl(k);
    }
    multi.exec().then(
      (replies) => {
        batch.forEach(([key, p], i) => {
          this.release(key, p.granted);
          const total = replies?.[3 * i]?.[1];
          const ttl = replies?.[3 * i + 2]?.[1];
          if (typeof total !== 'number') {
            for (const w of p.waiters) w.reject(new Error('rate-limit counter did not answer'));
            return;
          }
          if (typeof ttl === 'number' && ttl > 0)
            this.shared.set(key, { count: total, until: Date.now() + ttl });
          const before = total - p.granted - p.waiters.length;
          p.waiters.forEach((w, j) => {
            w.resolve(before + p.granted + j < this.limit);
          });
        });
      },
      (err: unknown) => {
        for (const [key, p] of batch) {
          this.release(key, p.granted);
          for (const w of p.waiters) w.reject(err);
        }
      },
    );
  }

  private release(key: string, n: number): void {
    const left = (this.inflight.get(key) ?? 0) - n;
    if (left > 0) this.inflight.set(key, left);
    else this.inflight.delete(key);
  }
}
