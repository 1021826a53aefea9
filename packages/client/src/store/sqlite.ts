/**
 * The Node store: one SQLite file per profile (better-sqlite3), created with mode 0600, in WAL mode, every
 * value encrypted at rest by {@link EncryptedStore}. Node-only modules are imported dynamically so a
 * browser build of the SDK never pulls them in.
 *
 * The storage key is a random 32-byte key made when the profile is created. It is kept either
 * - wrapped under a key derived from the password with Argon2id (19 MiB, t = 2, p = 1, a fresh 32-byte
 *   salt) in the file itself — nothing on disk opens the profile without the password; or
 * - in a separate key file (`<file>.key`, mode 0600) when the profile is opened without a password, for
 *   unattended use; the key file is then as sensitive as the profile.
 * A wrapped key (rather than the password-derived key itself) lets the password change without
 * re-encrypting every record.
 */

import { type CryptoProvider, LABELS, SottoError, utf8 } from '@sotto/crypto';
import { EncryptedStore } from './at-rest.js';
import { type ClientStore, type ListOptions, type StoreOp, selectEntries, type Table } from './store.js';

/** Argon2id costs for the password-wrapped storage key (OWASP minimum, as for backups). */
export const STORAGE_ARGON2ID = { memoryKiB: 19 * 1024, iterations: 2, parallelism: 1, length: 32 } as const;

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** The profile's database file (created if missing). */
  readonly path: string;
  /** Protect the storage key with this password. Without it, a key file is used. */
  readonly password?: string;
  /** The key file (default `<path>.key`), used when no password is given. */
  readonly keyFile?: string;
  /** Crypto backend for at-rest encryption (default: node). */
  readonly provider?: CryptoProvider;
}

interface Statement {
  run(...args: unknown[]): unknown;
  get(...args: unknown[]): unknown;
  all(...args: unknown[]): unknown[];
}
interface Db {
  pragma(s: string): unknown;
  exec(s: string): unknown;
  prepare(s: string): Statement;
  transaction<A extends unknown[]>(fn: (...a: A) => void): (...a: A) => void;
  close(): void;
}

/** Upper bound of keys starting with `prefix` (the prefix with its last code unit incremented). */
function prefixEnd(prefix: string): string | undefined {
  if (prefix.length === 0) return undefined;
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/** The raw (unencrypted) SQLite key-value store; wrapped by {@link openSqliteStore}. */
class SqliteKv implements ClientStore {
  private readonly getStmt: Statement;
  private readonly putStmt: Statement;
  private readonly delStmt: Statement;
  private readonly apply: (ops: readonly StoreOp[]) => void;
  private closed = false;

  constructor(private readonly db: Db) {
    db.exec(
      'CREATE TABLE IF NOT EXISTS kv (tbl TEXT NOT NULL, k TEXT NOT NULL, v BLOB NOT NULL, PRIMARY KEY (tbl, k)) WITHOUT ROWID',
    );
    this.getStmt = db.prepare('SELECT v FROM kv WHERE tbl = ? AND k = ?');
    this.putStmt = db.prepare('INSERT OR REPLACE INTO kv (tbl, k, v) VALUES (?, ?, ?)');
    this.delStmt = db.prepare('DELETE FROM kv WHERE tbl = ? AND k = ?');
    this.apply = db.transaction((ops: readonly StoreOp[]) => {
      for (const o of ops) {
        if (o.op === 'put')
          this.putStmt.run(
            o.table,
            o.key,
            Buffer.from(o.value.buffer, o.value.byteOffset, o.value.byteLength),
          );
        else this.delStmt.run(o.table, o.key);
      }
    });
  }

  async get(table: Table, key: string): Promise<Uint8Array | undefined> {
    const row = this.getStmt.get(table, key) as { v: Buffer } | undefined;
    return row === undefined ? undefined : new Uint8Array(row.v);
  }

  async list(table: Table, options: ListOptions = {}): Promise<Array<readonly [string, Uint8Array]>> {
    const where = ['tbl = ?'];
    const args: unknown[] = [table];
    if (options.prefix !== undefined && options.prefix.length > 0) {
      where.push('k >= ?');
      args.push(options.prefix);
      const end = prefixEnd(options.prefix);
      if (end !== undefined) {
        where.push('k < ?');
        args.push(end);
      }
    }
    if (options.below !== undefined) {
      where.push('k < ?');
      args.push(options.below);
    }
    let sql = `SELECT k, v FROM kv WHERE ${where.join(' AND ')} ORDER BY k ${options.reverse === true ? 'DESC' : 'ASC'}`;
    if (options.limit !== undefined) {
      sql += ' LIMIT ?';
      args.push(Math.max(0, Math.floor(options.limit)));
    }
    const rows = this.db.prepare(sql).all(...args) as Array<{ k: string; v: Buffer }>;
    // The SQL range is exact for our keys; the shared filter keeps the semantics identical to MemoryStore.
    return selectEntries(
      rows.map((r) => [r.k, new Uint8Array(r.v)] as const),
      { prefix: options.prefix },
    );
  }

  async write(ops: readonly StoreOp[]): Promise<void> {
    this.apply(ops);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  meta(name: string): Uint8Array | undefined {
    const row = this.db.prepare('SELECT v FROM keyring WHERE name = ?').get(name) as
      | { v: Buffer }
      | undefined;
    return row === undefined ? undefined : new Uint8Array(row.v);
  }

  setMeta(name: string, v: Uint8Array): void {
    this.db.prepare('INSERT OR REPLACE INTO keyring (name, v) VALUES (?, ?)').run(name, Buffer.from(v));
  }
}

const CHECK_TEXT = LABELS.clientStoreKeyCheck;

async function wrapKey(p: CryptoProvider, password: string, key: Uint8Array): Promise<Uint8Array> {
  const salt = p.randomBytes(32);
  const nonce = p.randomBytes(12);
  const kek = await p.argon2id(utf8(password.normalize('NFC')), salt, STORAGE_ARGON2ID);
  const sealed = await p.aes256GcmSeal(kek, nonce, key, utf8(CHECK_TEXT));
  kek.fill(0);
  const out = new Uint8Array(44 + sealed.length);
  out.set(salt);
  out.set(nonce, 32);
  out.set(sealed, 44);
  return out;
}

async function unwrapKey(p: CryptoProvider, password: string, wrapped: Uint8Array): Promise<Uint8Array> {
  const kek = await p.argon2id(utf8(password.normalize('NFC')), wrapped.subarray(0, 32), STORAGE_ARGON2ID);
  try {
    return await p.aes256GcmOpen(kek, wrapped.subarray(32, 44), wrapped.subarray(44), utf8(CHECK_TEXT));
  } catch (cause) {
    throw new SottoError('STORAGE_WRONG_KEY', undefined, { cause });
  } finally {
    kek.fill(0);
  }
}

/**
 * Opens (or creates) a profile database. Throws STORAGE_WRONG_KEY for a wrong password, a missing or wrong
 * key file, or a profile protected the other way.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<ClientStore> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { default: Database } = await import('better-sqlite3');
  const p = options.provider ?? (await import('@sotto/crypto')).createNodeProvider();
  fs.mkdirSync(path.dirname(options.path), { recursive: true, mode: 0o700 });
  // Create the file ourselves so it is 0600 from the first byte (SQLite gives -wal/-shm the same mode).
  fs.closeSync(fs.openSync(options.path, 'a', 0o600));
  fs.chmodSync(options.path, 0o600);
  const db = new Database(options.path) as unknown as Db;
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE IF NOT EXISTS keyring (name TEXT PRIMARY KEY, v BLOB NOT NULL)');
  const kv = new SqliteKv(db);
  try {
    const key = await storageKey(kv, p, options, fs);
    await checkKey(kv, p, key);
    return new EncryptedStore(kv, p, key);
  } catch (err) {
    await kv.close();
    throw err;
  }
}

/** Records (first time) or checks a sealed constant, so a wrong key file fails at open, not at first read. */
async function checkKey(kv: SqliteKv, p: CryptoProvider, key: Uint8Array): Promise<void> {
  const check = kv.meta('check');
  if (check === undefined) {
    const nonce = p.randomBytes(12);
    const sealed = await p.aes256GcmSeal(key, nonce, utf8(CHECK_TEXT), utf8(CHECK_TEXT));
    const out = new Uint8Array(12 + sealed.length);
    out.set(nonce);
    out.set(sealed, 12);
    kv.setMeta('check', out);
    return;
  }
  try {
    await p.aes256GcmOpen(key, check.subarray(0, 12), check.subarray(12), utf8(CHECK_TEXT));
  } catch (cause) {
    throw new SottoError('STORAGE_WRONG_KEY', undefined, { cause });
  }
}

async function storageKey(
  kv: SqliteKv,
  p: CryptoProvider,
  options: SqliteStoreOptions,
  fs: typeof import('node:fs'),
): Promise<Uint8Array> {
  const mode = kv.meta('mode');
  const wanted = options.password === undefined ? 'keyfile' : 'password';
  const keyFile = options.keyFile ?? `${options.path}.key`;
  if (mode === undefined) {
    const key = p.randomBytes(32);
    if (options.password !== undefined) kv.setMeta('wrapped', await wrapKey(p, options.password, key));
    else fs.writeFileSync(keyFile, Buffer.from(key), { mode: 0o600, flag: 'wx' });
    kv.setMeta('mode', utf8(wanted));
    return key;
  }
  if (new TextDecoder().decode(mode) !== wanted) {
    throw new SottoError(
      'STORAGE_WRONG_KEY',
      `This profile is protected by a ${new TextDecoder().decode(mode) === 'password' ? 'password' : 'key file'}.`,
    );
  }
  if (options.password !== undefined) {
    const wrapped = kv.meta('wrapped');
    if (wrapped === undefined) throw new SottoError('STORAGE_WRONG_KEY');
    return unwrapKey(p, options.password, wrapped);
  }
  let key: Uint8Array;
  try {
    key = new Uint8Array(fs.readFileSync(keyFile));
  } catch (cause) {
    throw new SottoError('STORAGE_WRONG_KEY', 'The key file of this profile is missing.', { cause });
  }
  if (key.length !== 32) throw new SottoError('STORAGE_WRONG_KEY');
  return key;
}
