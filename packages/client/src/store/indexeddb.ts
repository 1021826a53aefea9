/**
 * The browser store (DESIGN §7): one IndexedDB database per profile, every value encrypted at rest by
 * {@link EncryptedStore}.
 *
 * The storage key is a random AES-256-GCM WebCrypto key generated with `extractable: false` and kept
 * (as a `CryptoKey`, by structured clone) in the same database. Script running in the page can use it but
 * can never read its bytes, so a copy of the database files (a backup, a stolen disk image read outside
 * the browser profile's key protection) does not carry a usable raw key, and no password prompt is
 * needed after a reload. It does not protect against code running in the page itself — nothing can.
 * `EncryptedStore` takes raw key bytes; here it gets a provider whose AES-GCM uses the `CryptoKey` and an
 * all-zero placeholder that is never used as a key. Deleting the database (log out) destroys the key.
 */

import { type CryptoProvider, createPortableProvider, SottoError } from '@sotto/crypto';
import { EncryptedStore } from './at-rest.js';
import type { ClientStore, ListOptions, StoreOp, Table } from './store.js';

const KV = 'kv';
const KEYS = 'keys';
const STORAGE_KEY = 'storage';

/** Options of {@link openIndexedDbStore}. */
export interface IndexedDbStoreOptions {
  /** The database name (one per profile). Default `sotto`. */
  readonly name?: string;
  /** The IndexedDB factory (default: the global `indexedDB`). */
  readonly indexedDB?: IDBFactory;
}

interface Row {
  readonly t: string;
  readonly k: string;
  readonly v: Uint8Array;
}

function done(req: IDBRequest): Promise<unknown> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new SottoError('INTERNAL', 'IndexedDB request failed', { cause: req.error }));
  });
}

function finished(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () =>
      reject(new SottoError('INTERNAL', 'IndexedDB transaction aborted', { cause: tx.error }));
    tx.onerror = () =>
      reject(new SottoError('INTERNAL', 'IndexedDB transaction failed', { cause: tx.error }));
  });
}

function openDb(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = factory.open(name, 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(KV)) db.createObjectStore(KV, { keyPath: ['t', 'k'] });
      if (!db.objectStoreNames.contains(KEYS)) db.createObjectStore(KEYS);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () =>
      reject(new SottoError('INTERNAL', 'IndexedDB could not be opened', { cause: req.error }));
    req.onblocked = () => reject(new SottoError('INTERNAL', 'IndexedDB is blocked by another tab'));
  });
}

/** The smallest string above every string that starts with `prefix`, or undefined when there is none. */
function prefixEnd(prefix: string): string | undefined {
  let p = prefix;
  while (p.length > 0 && p.charCodeAt(p.length - 1) === 0xffff) p = p.slice(0, -1);
  if (p.length === 0) return undefined;
  return p.slice(0, -1) + String.fromCharCode(p.charCodeAt(p.length - 1) + 1);
}

/**
 * The key range of `table` holding exactly the keys `options` selects by prefix and `below` (strings
 * compare by UTF-16 code units in IndexedDB as in the contract), or undefined when it is empty.
 */
function keyRange(table: Table, options: ListOptions): IDBKeyRange | undefined {
  const lower = options.prefix ?? '';
  const ends = [options.prefix === undefined ? undefined : prefixEnd(options.prefix), options.below];
  const end = ends.filter((e): e is string => e !== undefined).sort()[0];
  if (end !== undefined && end <= lower) return undefined;
  // Every string key sorts below an array, so [table, []] bounds the table from above.
  return IDBKeyRange.bound([table, lower], end === undefined ? [table, []] : [table, end], false, true);
}

/** The last `limit` rows of `range`, highest key first, read with a cursor from the top. */
function lastRows(store: IDBObjectStore, range: IDBKeyRange, limit: number): Promise<Row[]> {
  return new Promise((resolve, reject) => {
    const rows: Row[] = [];
    const req = store.openCursor(range, 'prev');
    req.onsuccess = () => {
      const cursor = req.result;
      if (cursor === null) return resolve(rows);
      rows.push(cursor.value as Row);
      if (rows.length >= limit) return resolve(rows);
      cursor.continue();
    };
    req.onerror = () => reject(new SottoError('INTERNAL', 'IndexedDB request failed', { cause: req.error }));
  });
}

/** The raw (unencrypted) IndexedDB key-value store; use {@link openIndexedDbStore}. */
export class IndexedDbStore implements ClientStore {
  private closed = false;

  constructor(private readonly db: IDBDatabase) {}

  /** {@inheritDoc ClientStore.get} */
  async get(table: Table, key: string): Promise<Uint8Array | undefined> {
    const tx = this.db.transaction(KV, 'readonly');
    const row = (await done(tx.objectStore(KV).get([table, key]))) as Row | undefined;
    return row === undefined ? undefined : new Uint8Array(row.v);
  }

  /**
   * {@inheritDoc ClientStore.list}
   *
   * Reads only what it returns: the key range is bounded by the prefix and `below`, and a limited read
   * stops after `limit` records (a cursor from the top for `reverse`), so a page of a long conversation
   * costs the same as a page of a short one.
   */
  async list(table: Table, options: ListOptions = {}): Promise<Array<readonly [string, Uint8Array]>> {
    const range = keyRange(table, options);
    if (range === undefined) return [];
    const store = this.db.transaction(KV, 'readonly').objectStore(KV);
    const limit = options.limit === undefined ? undefined : Math.max(0, Math.floor(options.limit));
    if (limit === 0) return [];
    let rows: Row[];
    if (options.reverse === true) {
      rows =
        limit === undefined
          ? ((await done(store.getAll(range))) as Row[]).reverse()
          : await lastRows(store, range, limit);
    } else {
      rows = (await done(store.getAll(range, limit))) as Row[];
    }
    return rows.map((r) => [r.k, new Uint8Array(r.v)] as const);
  }

  /** {@inheritDoc ClientStore.write} */
  async write(ops: readonly StoreOp[]): Promise<void> {
    for (const o of ops) {
      if (o.op === 'put' && !(o.value instanceof Uint8Array)) {
        throw new SottoError('INVALID_ARGUMENT', 'store: a value must be bytes');
      }
    }
    const tx = this.db.transaction(KV, 'readwrite', { durability: 'strict' });
    const end = finished(tx);
    const kv = tx.objectStore(KV);
    for (const o of ops) {
      if (o.op === 'put') kv.put({ t: o.table, k: o.key, v: new Uint8Array(o.value) } satisfies Row);
      else kv.delete([o.table, o.key]);
    }
    await end;
  }

  /** {@inheritDoc ClientStore.close} */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

async function storageKey(db: IDBDatabase): Promise<CryptoKey> {
  const read = db.transaction(KEYS, 'readonly');
  const existing = (await done(read.objectStore(KEYS).get(STORAGE_KEY))) as CryptoKey | undefined;
  if (existing !== undefined) return existing;
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
  ]);
  const tx = db.transaction(KEYS, 'readwrite', { durability: 'strict' });
  const end = finished(tx);
  tx.objectStore(KEYS).add(key, STORAGE_KEY); // add, not put: two tabs racing cannot overwrite a key in use
  await end;
  return key;
}

/** A provider whose AES-256-GCM ignores the key bytes and uses the non-extractable `key` instead. */
function sealingWith(base: CryptoProvider, key: CryptoKey): CryptoProvider {
  const params = (nonce: Uint8Array, aad: Uint8Array) => ({
    name: 'AES-GCM',
    iv: nonce as Uint8Array<ArrayBuffer>,
    additionalData: aad as Uint8Array<ArrayBuffer>,
    tagLength: 128,
  });
  return {
    ...base,
    async aes256GcmSeal(_unused, nonce, plaintext, aad) {
      const out = await crypto.subtle.encrypt(params(nonce, aad), key, plaintext as Uint8Array<ArrayBuffer>);
      return new Uint8Array(out);
    },
    async aes256GcmOpen(_unused, nonce, sealed, aad) {
      try {
        return new Uint8Array(
          await crypto.subtle.decrypt(params(nonce, aad), key, sealed as Uint8Array<ArrayBuffer>),
        );
      } catch (cause) {
        throw new SottoError('STORAGE_WRONG_KEY', undefined, { cause });
      }
    },
  };
}

/**
 * Opens (creating if needed) the browser profile `name`: an {@link IndexedDbStore} wrapped in
 * {@link EncryptedStore} under the database's non-extractable storage key. Throws INTERNAL when IndexedDB
 * or WebCrypto is unavailable (private modes of some browsers).
 */
export async function openIndexedDbStore(options: IndexedDbStoreOptions = {}): Promise<ClientStore> {
  const factory = options.indexedDB ?? globalThis.indexedDB;
  if (factory === undefined || globalThis.crypto?.subtle === undefined) {
    throw new SottoError('INTERNAL', 'This browser has no IndexedDB or WebCrypto.');
  }
  const db = await openDb(factory, options.name ?? 'sotto');
  try {
    const key = await storageKey(db);
    const provider = sealingWith(await createPortableProvider(), key);
    return new EncryptedStore(new IndexedDbStore(db), provider, new Uint8Array(32));
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Deletes the browser profile `name` (every record and its storage key). Close its store first. */
export function deleteIndexedDbStore(options: IndexedDbStoreOptions = {}): Promise<void> {
  const factory = options.indexedDB ?? globalThis.indexedDB;
  return new Promise((resolve, reject) => {
    const req = factory.deleteDatabase(options.name ?? 'sotto');
    req.onsuccess = () => resolve();
    req.onerror = () =>
      reject(new SottoError('INTERNAL', 'IndexedDB could not be deleted', { cause: req.error }));
  });
}
