/**
 * The storage interface of the client (DESIGN §7): an ordered key-value store in named tables with atomic
 * batches. The client keeps every record in it (identity and device secrets, prekey secrets, session
 * states, contacts and their identity keys, messages, processed envelope ids, file keys and upload state,
 * groups' MLS states).
 * Implementations:
 * `MemoryStore` (tests, browsers without persistence) and the SQLite store for Node (`openSqliteStore`);
 * values are encrypted at rest by {@link EncryptedStore} where the medium is persistent.
 */

/** The tables the client uses. */
export const TABLES = [
  'meta',
  'prekeys',
  'sessions',
  'contacts',
  'devices',
  'messages',
  'message-ids',
  'envelopes',
  'outbox',
  'inbox',
  'files',
  'groups',
] as const;

/** A table name. */
export type Table = (typeof TABLES)[number];

/** One write of a batch. */
export type StoreOp =
  | { readonly op: 'put'; readonly table: Table; readonly key: string; readonly value: Uint8Array }
  | { readonly op: 'delete'; readonly table: Table; readonly key: string };

/** Options of {@link ClientStore.list}: keys are compared as strings (UTF-16 code units). */
export interface ListOptions {
  /** Only keys starting with this. */
  readonly prefix?: string;
  /** Only keys strictly below this. */
  readonly below?: string;
  /** Highest keys first. */
  readonly reverse?: boolean;
  readonly limit?: number;
}

/** The storage the client needs. Every method may be async; `write` is atomic and durable when it resolves. */
export interface ClientStore {
  /** The value under `key`, or undefined. */
  get(table: Table, key: string): Promise<Uint8Array | undefined>;
  /** Entries in key order (or reverse), filtered by `options`. */
  list(table: Table, options?: ListOptions): Promise<Array<readonly [string, Uint8Array]>>;
  /** Applies all operations atomically (all or none), durably once it resolves. */
  write(ops: readonly StoreOp[]): Promise<void>;
  /** Releases the store (closes files). Idempotent. */
  close(): Promise<void>;
}

/** A put operation. */
export const put = (table: Table, key: string, value: Uint8Array): StoreOp => ({
  op: 'put',
  table,
  key,
  value,
});

/** A delete operation. */
export const del = (table: Table, key: string): StoreOp => ({ op: 'delete', table, key });

/** Applies list options to entries already sorted by key (shared by the implementations). */
export function selectEntries<T>(
  sorted: ReadonlyArray<readonly [string, T]>,
  options: ListOptions = {},
): Array<readonly [string, T]> {
  const { prefix, below, reverse, limit } = options;
  let out = sorted.filter(
    ([k]) => (prefix === undefined || k.startsWith(prefix)) && (below === undefined || k < below),
  );
  if (reverse === true) out = out.reverse();
  if (limit !== undefined) out = out.slice(0, Math.max(0, limit));
  return out;
}
