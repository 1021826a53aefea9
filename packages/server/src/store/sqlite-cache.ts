/**
 * The SQLite adapter's read cache: the facts the relay checks on every send (account existence, device
 * ids, contact states, blocks) and each mailbox's size, so a send costs no extra queries.
 *
 * Sound with other writers on the same file (a second node): {@link SqliteStore} empties the cache
 * whenever `PRAGMA data_version` says another connection committed, before every cached read and at
 * the start of every group commit (inside its write lock). Its own writes drop the affected entries
 * right after their transaction, in the same synchronous call, committed or not; a miss simply reads
 * the database again. Each map holds at most {@link MAX_ENTRIES} entries and is emptied when full.
 */
import type { ContactState } from './store.js';

/** Entries per map before it is emptied. */
export const MAX_ENTRIES = 100_000;

function remember<V>(map: Map<string, V>, key: string, value: V): V {
  if (map.size >= MAX_ENTRIES) map.clear();
  map.set(key, value);
  return value;
}

const pair = (a: string, b: string): string => `${a}\n${b}`;
/** The cache key of one device's mailbox. */
export const mailboxKey = (account: string, deviceId: number): string => `${account}\n${deviceId}`;

/** Cached facts, each filled by a loader on a miss. */
export class ReadCache {
  private readonly exists = new Map<string, boolean>();
  private readonly ids = new Map<string, readonly number[]>();
  private readonly contacts = new Map<string, ContactState | null>();
  private readonly blocks = new Map<string, boolean>();
  private readonly counts = new Map<string, number>();

  accountExists(name: string, load: () => boolean): boolean {
    return this.exists.get(name) ?? remember(this.exists, name, load());
  }

  /** The account's device ids, ascending; the array is shared, never mutate it. */
  deviceIds(account: string, load: () => readonly number[]): readonly number[] {
    return this.ids.get(account) ?? remember(this.ids, account, load());
  }

  contact(owner: string, peer: string, load: () => ContactState | undefined): ContactState | undefined {
    const k = pair(owner, peer);
    const hit = this.contacts.get(k);
    if (hit !== undefined) return hit ?? undefined;
    return remember(this.contacts, k, load() ?? null) ?? undefined;
  }

  isBlocked(blocker: string, blocked: string, load: () => boolean): boolean {
    const k = pair(blocker, blocked);
    return this.blocks.get(k) ?? remember(this.blocks, k, load());
  }

  /**
   * The cached number of envelopes stored for the device with mailbox key {@link mailboxKey} (including
   * uncommitted ones of the open transaction), if cached.
   */
  cachedMailboxCount(key: string): number | undefined {
    return this.counts.get(key);
  }

  /**
   * Records the size of the mailbox with key {@link mailboxKey}; call only with a count read or derived
   * inside the same transaction.
   */
  setMailboxCount(key: string, n: number): void {
    remember(this.counts, key, n);
  }

  /** Adds `delta` to a cached mailbox size (after deleting in the same transaction); no-op when not cached. */
  adjustMailboxCount(account: string, deviceId: number, delta: number): void {
    const k = mailboxKey(account, deviceId);
    const n = this.counts.get(k);
    if (n !== undefined) this.counts.set(k, n + delta);
  }

  /** The account was created or its device list replaced. */
  accountChanged(name: string): void {
    this.exists.delete(name);
    this.ids.delete(name);
    // Replaced devices lose their mailboxes.
    this.counts.clear();
  }

  /** A contact relation or a block changed (rare: forget them all). */
  relationsChanged(): void {
    this.contacts.clear();
    this.blocks.clear();
  }

  /** Another connection committed: nothing cached can be trusted. */
  clear(): void {
    this.exists.clear();
    this.ids.clear();
    this.relationsChanged();
    this.counts.clear();
  }

  /** Mailboxes changed in a way not tracked entry by entry (expiry, a failed group commit). */
  mailboxesChanged(): void {
    this.counts.clear();
  }
}
