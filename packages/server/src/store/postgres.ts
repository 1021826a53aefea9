/**
 * The PostgreSQL adapter of {@link Store} (node-postgres), for several nodes sharing one database. Same
 * semantics as the SQLite adapter: every multi-row change is one transaction, and a resolved write is
 * committed (PostgreSQL's default `synchronous_commit = on`: durable before the answer). Where SQLite
 * relies on its single writer, this adapter takes locks:
 * - one-time prekeys: `DELETE … (SELECT … FOR UPDATE SKIP LOCKED)`, so concurrent fetches from any node
 *   never hand out the same key;
 * - mailboxes: a transaction-scoped advisory lock per recipient device, taken in sorted order, so the cap
 *   holds and `seq` order equals commit order within a mailbox (a reader resuming after `seq` never skips
 *   an envelope that committed late); a batch of sends is one statement (`postgres-enqueue.ts`);
 * - contact pairs: an advisory lock per pair, so crossing requests cannot both see "no relation".
 */
import type { PresenceState } from '@sotto/protocol';
import type pg from 'pg';
import type { AdminRecords } from './admin-records.js';
import type { FileRecords } from './file-records.js';
import type { GroupRecords } from './group-records.js';
import type { NotifyRecords } from './notify-records.js';
import { AckBatcher } from './postgres-acks.js';
import { PostgresAdminRecords } from './postgres-admin.js';
import { SharedReadCache } from './postgres-cache.js';
import { connectPostgres, type PostgresOptions } from './postgres-connect.js';
import { callEnqueue, installEnqueue } from './postgres-enqueue.js';
import { PostgresFileRecords } from './postgres-files.js';
import { PostgresGroupRecords } from './postgres-groups.js';
import { migratePostgres } from './postgres-migrate.js';
import { PostgresNotifyRecords } from './postgres-notify.js';
import { inTransaction, type Queryable, queryChanges, queryOne, queryRows } from './postgres-query.js';
import { PG } from './postgres-sql.js';
import { int, type Row, text, toAccount, toDevice, toEnvelope, toPrekey, toPresence } from './sqlite-rows.js';
import type {
  AccountRecord,
  CachedReads,
  CacheInvalidation,
  ContactRecord,
  ContactRequestResult,
  ContactState,
  DeviceAddress,
  DeviceKeysUpdate,
  DeviceListUpdate,
  DeviceRecord,
  EnqueueResult,
  EnvelopeRef,
  NewEnvelope,
  OneTimeKind,
  SharedCacheLink,
  Store,
  StoredBundle,
  StoredEnvelope,
  StoredPrekey,
  StoredPresence,
} from './store.js';

export type { PostgresOptions } from './postgres-connect.js';

/** Something that runs a query: the pool, or a client inside a transaction. */

/**
 * Connects to `url` (see {@link connectPostgres} for the `schema` parameter), applies migrations and
 * returns the store. Throws when the database is unreachable or newer than this server.
 */
export async function openPostgresStore(url: string, options: PostgresOptions = {}): Promise<PostgresStore> {
  const pool = await connectPostgres(url, options);
  try {
    const client = await pool.connect();
    try {
      await migratePostgres(client, installEnqueue);
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end();
    throw err;
  }
  return new PostgresStore(pool);
}

const bytesParam = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
/** Lock names (JSON: unambiguous for any account name); mailboxes' in `postgres-enqueue.ts`. */
const pairLock = (a: string, b: string) => JSON.stringify(['contacts', ...[a, b].sort()]);

/** {@link Store} over a node-postgres pool. Construct with {@link openPostgresStore}. */
export class PostgresStore implements Store {
  private closed = false;
  private readonly cache = new SharedReadCache();
  private readonly acks: AckBatcher;
  private announce: (change: CacheInvalidation) => void = () => {};
  readonly files: FileRecords;
  readonly groups: GroupRecords;
  readonly admin: AdminRecords;
  readonly notify: NotifyRecords;

  constructor(private readonly pool: pg.Pool) {
    this.acks = new AckBatcher(pool);
    this.files = new PostgresFileRecords(pool);
    this.groups = new PostgresGroupRecords(pool);
    this.admin = new PostgresAdminRecords(pool, this.files, () => this.changed({ kind: 'all' }));
    this.notify = new PostgresNotifyRecords(pool);
  }

  readonly cached: CachedReads = this.cache.hits;

  readonly sharedCache: SharedCacheLink = {
    announce: (publish) => {
      this.announce = publish;
    },
    invalidate: (change) => this.cache.apply(change),
  };

  /** After a write (committed or not): drops this node's stale entries and tells the other nodes. */
  private changed(change: CacheInvalidation): void {
    this.cache.apply(change);
    this.announce(change);
  }

  /** Runs `write`, then {@link changed} whether it succeeded or not. */
  private async changing<T>(change: CacheInvalidation, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      this.changed(change);
    }
  }

  private async upsertDevice(c: Queryable, account: string, d: DeviceListUpdate['devices'][number]) {
    const cert = d.certificate === undefined ? null : bytesParam(d.certificate);
    await c.query(PG.upsertDevice, [account, d.deviceId, bytesParam(d.signingKey), cert]);
  }

  async createAccount(account: AccountRecord, devices: DeviceListUpdate['devices']): Promise<boolean> {
    return this.changing({ kind: 'account', account: account.name }, () =>
      this.createAccountTx(account, devices),
    );
  }

  private createAccountTx(account: AccountRecord, devices: DeviceListUpdate['devices']): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      const n = await queryChanges(c, PG.insertAccount, [
        account.name,
        account.opaqueRecord,
        bytesParam(account.identityKey),
        bytesParam(account.deviceList),
        account.deviceListVersion,
        bytesParam(account.backup),
        account.createdAt,
      ]);
      if (n === 0) return false;
      for (const d of devices) await this.upsertDevice(c, account.name, d);
      return true;
    });
  }

  async getAccount(name: string): Promise<AccountRecord | undefined> {
    const r = await queryOne(this.pool, PG.getAccount, [name]);
    return r === undefined ? undefined : toAccount(r);
  }

  accountExists(name: string): Promise<boolean> {
    return this.cache.accountExists(
      name,
      async () => (await queryOne(this.pool, PG.accountExists, [name])) !== undefined,
    );
  }

  async listDeviceIds(account: string): Promise<number[]> {
    const ids = await this.cache.deviceIds(account, async () =>
      (await queryRows(this.pool, PG.listDeviceIds, [account])).map((r) => int(r.device_id)),
    );
    return [...ids];
  }

  async replaceDeviceList(name: string, expectedVersion: number, update: DeviceListUpdate): Promise<boolean> {
    return this.changing({ kind: 'account', account: name }, () =>
      this.replaceDeviceListTx(name, expectedVersion, update),
    );
  }

  private replaceDeviceListTx(
    name: string,
    expectedVersion: number,
    update: DeviceListUpdate,
  ): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      // The UPDATE locks the account row: a concurrent update waits, then finds the version changed.
      const cas = [bytesParam(update.deviceList), update.version, name, expectedVersion];
      if ((await queryChanges(c, PG.casDeviceList, cas)) === 0) return false;
      const next = new Map(update.devices.map((d) => [d.deviceId, d.signingKey]));
      for (const old of (await queryRows(c, PG.listDevices, [name])).map(toDevice)) {
        const key = next.get(old.deviceId);
        if (key !== undefined && Buffer.compare(key, old.signingKey) === 0) continue;
        await c.query(PG.deleteDevice, [name, old.deviceId]);
        await c.query(PG.deleteMailbox, [name, old.deviceId]);
      }
      for (const d of update.devices) await this.upsertDevice(c, name, d);
      return true;
    });
  }

  async setBackup(name: string, backup: Uint8Array): Promise<void> {
    await this.pool.query(PG.setBackup, [bytesParam(backup), name]);
  }

  async getDevice(account: string, deviceId: number): Promise<DeviceRecord | undefined> {
    const r = await queryOne(this.pool, PG.getDevice, [account, deviceId]);
    return r === undefined ? undefined : toDevice(r);
  }

  async listDevices(account: string): Promise<DeviceRecord[]> {
    return (await queryRows(this.pool, PG.listDevices, [account])).map(toDevice);
  }

  async setLastSeen(account: string, at: number): Promise<void> {
    await this.pool.query(PG.setLastSeen, [at, account]);
  }

  async setPresence(account: string, state: PresenceState, text: string | undefined): Promise<void> {
    await this.pool.query(PG.setPresence, [state, text ?? null, account]);
  }

  async getPresence(account: string): Promise<StoredPresence | undefined> {
    const r = await queryOne(this.pool, PG.getPresence, [account]);
    return r === undefined ? undefined : toPresence(r);
  }

  async putDeviceKeys(device: DeviceAddress, keys: DeviceKeysUpdate): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      const { account, deviceId } = device;
      if ((await queryOne(c, PG.lockDevice, [account, deviceId])) === undefined) return false;
      if (keys.certificate)
        await c.query(PG.setCertificate, [bytesParam(keys.certificate), account, deviceId]);
      const put = (kind: string, k: StoredPrekey) =>
        c.query(PG.putSigned, [account, deviceId, kind, k.keyId, bytesParam(k.encoded)]);
      if (keys.signedPrekey) await put('x25519', keys.signedPrekey);
      if (keys.lastResortKem) await put('mlkem-last-resort', keys.lastResortKem);
      return true;
    });
  }

  async addOneTimePrekeys(
    device: DeviceAddress,
    kind: OneTimeKind,
    keys: readonly StoredPrekey[],
  ): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      const { account, deviceId } = device;
      if ((await queryOne(c, PG.lockDevice, [account, deviceId])) === undefined) return false;
      for (const k of keys) {
        await c.query(PG.putOneTime, [account, deviceId, kind, k.keyId, bytesParam(k.encoded)]);
      }
      return true;
    });
  }

  async countOneTimePrekeys(device: DeviceAddress): Promise<{ x25519: number; mlkem: number }> {
    return this.count(this.pool, device);
  }

  private async count(q: Queryable, device: DeviceAddress): Promise<{ x25519: number; mlkem: number }> {
    const out = { x25519: 0, mlkem: 0 };
    for (const r of await queryRows(q, PG.countOneTime, [device.account, device.deviceId])) {
      if (r.kind === 'x25519') out.x25519 = int(r.n);
      if (r.kind === 'mlkem') out.mlkem = int(r.n);
    }
    return out;
  }

  async takeBundle(device: DeviceAddress): Promise<StoredBundle | undefined> {
    return inTransaction(this.pool, async (c): Promise<StoredBundle | undefined> => {
      const { account, deviceId } = device;
      const row = await queryOne(c, PG.lockDevice, [account, deviceId]);
      const dev = row === undefined ? undefined : toDevice(row);
      const signed = toPrekey(await queryOne(c, PG.getSigned, [account, deviceId, 'x25519']));
      const lastResort = toPrekey(await queryOne(c, PG.getSigned, [account, deviceId, 'mlkem-last-resort']));
      const certificate = dev?.certificate;
      if (
        dev === undefined ||
        certificate === undefined ||
        signed === undefined ||
        lastResort === undefined
      ) {
        return undefined;
      }
      const take = async (kind: OneTimeKind) =>
        toPrekey(await queryOne(c, PG.takeOneTime, [account, deviceId, kind]));
      const oneTimeX25519 = await take('x25519');
      const oneTimeKem = await take('mlkem');
      return {
        device: { ...dev, certificate },
        signedPrekey: signed,
        lastResortKem: lastResort,
        oneTimeX25519,
        oneTimeKem,
        remaining: await this.count(c, device),
      };
    });
  }

  /** One statement, one transaction, one round trip: see `postgres-enqueue.ts` (and its ordering argument). */
  async enqueue(envelopes: readonly NewEnvelope[], maxPerMailbox: number): Promise<EnqueueResult> {
    if (envelopes.length === 0) return { ok: true, stored: 0, seqs: [], prevs: [] };
    const r = await callEnqueue(this.pool, envelopes, maxPerMailbox);
    if ('full' in r) return { ok: false, full: r.full };
    return { ok: true, stored: envelopes.length, seqs: r.seqs, prevs: r.prevs };
  }

  async fetchMailbox(
    device: DeviceAddress,
    afterSeq: number,
    notBefore: number,
    limit: number,
  ): Promise<StoredEnvelope[]> {
    const values = [device.account, device.deviceId, afterSeq, notBefore, limit];
    const res = await this.pool.query({ name: 'sotto_fetch_mailbox', text: PG.fetchMailbox, values });
    return (res.rows as Row[]).map(toEnvelope);
  }

  /** Batched with other devices' acks of the same moment: see `postgres-acks.ts`. */
  async ackEnvelopes(device: DeviceAddress, acks: readonly EnvelopeRef[]): Promise<number> {
    return this.acks.ack(device, acks);
  }

  async expireEnvelopes(before: number): Promise<number> {
    return queryChanges(this.pool, PG.expire, [before]);
  }

  async mailboxDepth(): Promise<number> {
    return int((await queryOne(this.pool, PG.depth))?.n);
  }

  /**
   * PostgreSQL's own count of live rows in the envelopes table (`n_live_tup`, kept up to date by every
   * backend's statistics, about a second behind): no scan of the table, for the depth gauge.
   */
  async mailboxDepthEstimate(): Promise<number> {
    return Math.max(0, int((await queryOne(this.pool, PG.depthEstimate))?.n));
  }

  private async contact(q: Queryable, owner: string, peer: string): Promise<ContactState | undefined> {
    const r = await queryOne(q, PG.getContact, [owner, peer]);
    return r === undefined ? undefined : (text(r.state) as ContactState);
  }

  /** Runs `fn` in a transaction holding the lock of the pair {a, b}; relations change. */
  private pairTx<T>(a: string, b: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.changing({ kind: 'relations' }, () =>
      inTransaction(this.pool, async (c) => {
        await c.query(PG.lockName, [pairLock(a, b)]);
        return fn(c);
      }),
    );
  }

  async requestContact(from: string, to: string): Promise<ContactRequestResult> {
    return this.pairTx(from, to, async (c): Promise<ContactRequestResult> => {
      const mine = await this.contact(c, from, to);
      if (mine === 'accepted' || mine === 'outgoing') return 'unchanged';
      if (mine === 'incoming') {
        await c.query(PG.setContact, [from, to, 'accepted']);
        await c.query(PG.setContact, [to, from, 'accepted']);
        return 'accepted';
      }
      await c.query(PG.setContact, [from, to, 'outgoing']);
      await c.query(PG.setContact, [to, from, 'incoming']);
      return 'pending';
    });
  }

  async acceptContact(owner: string, peer: string): Promise<boolean> {
    return this.pairTx(owner, peer, async (c) => {
      if ((await this.contact(c, owner, peer)) !== 'incoming') return false;
      await c.query(PG.setContact, [owner, peer, 'accepted']);
      await c.query(PG.setContact, [peer, owner, 'accepted']);
      return true;
    });
  }

  async removeContact(a: string, b: string): Promise<boolean> {
    return this.pairTx(a, b, async (c) => {
      const n =
        (await queryChanges(c, PG.deleteContact, [a, b])) + (await queryChanges(c, PG.deleteContact, [b, a]));
      return n > 0;
    });
  }

  getContact(owner: string, peer: string): Promise<ContactState | undefined> {
    return this.cache.contact(owner, peer, () => this.contact(this.pool, owner, peer));
  }

  async listContacts(owner: string): Promise<ContactRecord[]> {
    return (await queryRows(this.pool, PG.listContacts, [owner])).map((r) => ({
      peer: text(r.peer),
      state: text(r.state) as ContactState,
    }));
  }

  async block(blocker: string, blocked: string): Promise<void> {
    await this.pairTx(blocker, blocked, async (c) => {
      await c.query(PG.block, [blocker, blocked]);
      await c.query(PG.deleteContact, [blocker, blocked]);
      await c.query(PG.deleteContact, [blocked, blocker]);
    });
  }

  async unblock(blocker: string, blocked: string): Promise<void> {
    await this.changing({ kind: 'relations' }, () => this.pool.query(PG.unblock, [blocker, blocked]));
  }

  isBlocked(blocker: string, blocked: string): Promise<boolean> {
    return this.cache.isBlocked(
      blocker,
      blocked,
      async () => (await queryOne(this.pool, PG.isBlocked, [blocker, blocked])) !== undefined,
    );
  }

  async listBlocked(blocker: string): Promise<string[]> {
    return (await queryRows(this.pool, PG.listBlocked, [blocker])).map((r) => text(r.blocked));
  }

  async hasAccounts(): Promise<boolean> {
    return (await queryOne(this.pool, PG.hasAccounts)) !== undefined;
  }

  async getSetting(name: string): Promise<string | undefined> {
    const r = await queryOne(this.pool, PG.getSetting, [name]);
    return r === undefined ? undefined : text(r.value);
  }

  async recordSetting(name: string, value: string): Promise<string> {
    await this.pool.query(PG.recordSetting, [name, value]);
    return (await this.getSetting(name)) ?? value;
  }

  async ping(): Promise<void> {
    await this.pool.query(PG.ping);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
