/**
 * Short-lived in-memory secrets of the login flow: OPAQUE login states between the two login round trips,
 * and login tickets handed out after a successful login. Neither is written to disk, so nothing in the
 * database logs anyone in; a restart simply makes users log in again.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../clock.js';

interface Entry<T> {
  readonly value: T;
  readonly expiresAt: number;
}

/** A map of random byte tokens to values that expire after `ttlMs`; each token can be taken once. */
export class ExpiringTokens<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly clock: Clock,
    readonly ttlMs: number,
    private readonly tokenBytes: number,
    private readonly maxEntries = 100_000,
  ) {}

  /** Stores `value` under a fresh random token of `tokenBytes` bytes and returns the token. */
  issue(value: T): Uint8Array {
    this.sweep();
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    const token = new Uint8Array(randomBytes(this.tokenBytes));
    this.entries.set(Buffer.from(token).toString('hex'), { value, expiresAt: this.clock.now() + this.ttlMs });
    return token;
  }

  /** Returns the value of an unexpired token without consuming it, or undefined. */
  peek(token: Uint8Array): T | undefined {
    const key = Buffer.from(token).toString('hex');
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (e.expiresAt <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  /** Returns and forgets the value of an unexpired token, or undefined. */
  take(token: Uint8Array): T | undefined {
    const v = this.peek(token);
    this.entries.delete(Buffer.from(token).toString('hex'));
    return v;
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [k, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(k);
  }
}
