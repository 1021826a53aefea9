/**
 * A small map whose entries are forgotten `ttlMs` of real (monotonic) time after they were set: what the
 * notifications module remembers per account between sends, so a busy relay does not read presence or
 * touch the notification row on every message. Bounded: past `max` entries it starts over.
 */

/** Entries expiring after `ttlMs`. */
export class Recent<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly max = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The value set for `key` less than `ttlMs` ago, else undefined. */
  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (e.until > this.now()) return e.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V): void {
    if (this.entries.size >= this.max && !this.entries.has(key)) this.entries.clear();
    this.entries.set(key, { value, until: this.now() + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
