/**
 * Per-key rate limits (per account, device, IP or connection): a token bucket per key that refills
 * `perMinute` tokens per `windowMs` (a minute unless told), holding at most `perMinute`. In memory, per
 * node; idle buckets are dropped. Limits shared by several nodes go through `SharedState`.
 */
import type { Clock } from '../clock.js';

interface Bucket {
  tokens: number;
  at: number;
}

/** One limit, e.g. "10 login attempts per minute per account name". */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly ratePerMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly perMinute: number,
    private readonly maxKeys = 100_000,
    windowMs = 60_000,
  ) {
    this.ratePerMs = perMinute / windowMs;
  }

  /** Takes `cost` tokens for `key`; false (taking none) when there are not enough. */
  take(key: string, cost = 1): boolean {
    const now = this.clock.now();
    let b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size >= this.maxKeys) this.prune(now);
      b = { tokens: this.perMinute, at: now };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.perMinute, b.tokens + (now - b.at) * this.ratePerMs);
      b.at = now;
    }
    if (b.tokens < cost) return false;
    b.tokens -= cost;
    return true;
  }

  private prune(now: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + (now - b.at) * this.ratePerMs >= this.perMinute) this.buckets.delete(k);
    }
    // Still full: forget the oldest half rather than grow without bound.
    if (this.buckets.size >= this.maxKeys) {
      let n = this.buckets.size / 2;
      for (const k of this.buckets.keys()) {
        if (n-- <= 0) break;
        this.buckets.delete(k);
      }
    }
  }
}
