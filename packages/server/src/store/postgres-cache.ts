/**
 * The PostgreSQL adapter's per-node read cache: the facts the relay checks on every send (account
 * existence, device ids, contact states, blocks), so a send costs no query once they are known. Several
 * nodes write the same database, so entries are dropped on invalidations: this node's own writes drop
 * theirs right after the write (committed or not), and every write is announced to the other nodes over
 * the bus (`cache` events, see {@link CacheInvalidation}), which drop theirs when it arrives.
 *
 * Staleness is bounded: a fact cached here may be used after another node changed it only until that
 * node's announcement arrives (the same window as between a send's checks and its commit); an
 * announcement lost while the bus was disconnected is covered by emptying the cache on every reconnect,
 * and, for writers outside any node (the `sotto-admin` tool) or a lost message, by emptying it every
 * {@link MAX_AGE_MS}. A load that started before an invalidation does not store its (possibly old)
 * answer: every invalidation bumps a generation the load checks.
 */
import type { CacheInvalidation, ContactState } from './store.js';

/** The longest a cached fact is trusted without any invalidation (ms). */
export const MAX_AGE_MS = 5_000;
/** Entries per map before it is emptied. */
const MAX_ENTRIES = 100_000;

const pair = (a: string, b: string): string => `${a}\n${b}`;

/** One map of cached facts. */
class Facts<V> {
  private readonly map = new Map<string, V>();
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, v: V): void {
    if (this.map.size >= MAX_ENTRIES) this.map.clear();
    this.map.set(key, v);
  }
  delete(key: string): void {
    this.map.delete(key);
  }
  clear(): void {
    this.map.clear();
  }
}

/** The cached facts of one node, filled by loaders on a miss. */
export class SharedReadCache {
  private generation = 0;
  private clearedAt: number;
  private readonly exists = new Facts<boolean>();
  private readonly ids = new Facts<readonly number[]>();
  private readonly contacts = new Facts<ContactState | null>();
  private readonly blocks = new Facts<boolean>();

  constructor(private readonly now: () => number = Date.now) {
    this.clearedAt = now();
  }

  /** The cached value of `facts[key]`, or `load()`'s answer (remembered unless invalidated meanwhile). */
  private async read<V>(facts: Facts<V>, key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.peek(facts, key);
    if (hit !== undefined) return hit;
    const generation = this.generation;
    const v = await load();
    if (generation === this.generation) facts.set(key, v);
    return v;
  }

  /** The cached value of `facts[key]`, if any (after emptying the cache when it is too old). */
  private peek<V>(facts: Facts<V>, key: string): V | undefined {
    if (this.now() - this.clearedAt >= MAX_AGE_MS) this.apply({ kind: 'all' });
    return facts.get(key);
  }

  /** The cached answers alone (undefined on a miss), for a caller that checks a send at once. */
  readonly hits = {
    accountExists: (name: string): boolean | undefined => this.peek(this.exists, name),
    isBlocked: (blocker: string, blocked: string): boolean | undefined =>
      this.peek(this.blocks, pair(blocker, blocked)),
    getContact: (owner: string, peer: string): ContactState | null | undefined =>
      this.peek(this.contacts, pair(owner, peer)),
    listDeviceIds: (account: string): readonly number[] | undefined => this.peek(this.ids, account),
  };

  accountExists(name: string, load: () => Promise<boolean>): Promise<boolean> {
    return this.read(this.exists, name, load);
  }

  /** The account's device ids, ascending; the array is shared, never mutate it. */
  deviceIds(account: string, load: () => Promise<readonly number[]>): Promise<readonly number[]> {
    return this.read(this.ids, account, load);
  }

  async contact(
    owner: string,
    peer: string,
    load: () => Promise<ContactState | undefined>,
  ): Promise<ContactState | undefined> {
    return (
      (await this.read(this.contacts, pair(owner, peer), async () => (await load()) ?? null)) ?? undefined
    );
  }

  isBlocked(blocker: string, blocked: string, load: () => Promise<boolean>): Promise<boolean> {
    return this.read(this.blocks, pair(blocker, blocked), load);
  }

  /** Drops what `change` made stale. */
  apply(change: CacheInvalidation): void {
    this.generation++;
    switch (change.kind) {
      case 'account':
        this.exists.delete(change.account);
        this.ids.delete(change.account);
        return;
      case 'relations':
        this.contacts.clear();
        this.blocks.clear();
        return;
      case 'all':
        this.exists.clear();
        this.ids.clear();
        this.contacts.clear();
        this.blocks.clear();
        this.clearedAt = this.now();
        return;
    }
  }
}
