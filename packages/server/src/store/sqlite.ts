/**
 * The SQLite adapter of {@link Store} (better-sqlite3). WAL journal with `synchronous = FULL`: a
 * transaction that returned is on disk and survives SIGKILL or power loss, so the relay may acknowledge a
 * send as soon as `enqueue` resolves.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PresenceState } from '@sotto/protocol';
import Database from 'better-sqlite3';
import type { AdminRecords } from './admin-records.js';
import type { FileRecords } from './file-records.js';
import type { GroupRecords } from './group-records.js';
import { migrate } from './migrations.js';
import type { NotifyRecords } from './notify-records.js';
import { SqliteAdminRecords } from './sqlite-admin.js';
import { mailboxKey, ReadCache } from './sqlite-cache.js';
import { SqliteFileRecords } from './sqlite-files.js';
import { SqliteGroupRecords } from './sqlite-groups.js';
import { SqliteNotifyRecords } from './sqlite-notify.js';
import {
  bytes,
  int,
  type Row,
  text,
  toAccount,
  toDevice,
  toEnvelopeGroup,
  toPrekey,
  toPresence,
} from './sqlite-rows.js';
import { prepareStatements, type Statements } from './sqlite-statements.js';
import type {
  AccountRecord,
  ContactRecord,
  ContactRequestResult,
  ContactState,
  DeviceAddress,
  DeviceKeysUpdate,
  DeviceListUpdate,
  DeviceRecord,
  EnqueueResult,
  EnvelopeRef,
  ImmediateReads,
  NewEnvelope,
  OneTimeKind,
  Store,
  StoredBundle,
  StoredEnvelope,
  StoredPrekey,
  StoredPresence,
} from './store.js';

/**
 * Bumped whenever a store of this process writes something another store may have cached, so two stores
 * over one file in one process (tests, tools) never trust a memoized freshness check across such a write.
 */
let processWrites = 0;

/** Opens (creating if needed) the database file at `path`, applies migrations, and returns the store. */
export function openSqliteStore(path: string): SqliteStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return new SqliteStore(db);
}

/**
 * {@link Store} over one better-sqlite3 connection. Construct with {@link openSqliteStore}. It caches what
 * the relay reads on every send ({@link ReadCache}), checked against `PRAGMA data_version` so other
 * connections to the same file may write too.
 */
export class SqliteStore implements Store {
  private readonly q: Statements;
  private readonly readCache = new ReadCache();
  private seenVersion: unknown;
  /** `processWrites` when the cache was last checked in this event-loop turn; -1 once the turn ended. */
  private checkedAt = -1;
  private readonly pending: {
    run: () => unknown;
    resolve: (v: unknown) => void;
    reject: (e: unknown) => void;
  }[] = [];

  private readonly runAll;
  private readonly enqueueAll;
  private readonly ackAll;

  readonly files: FileRecords;
  readonly groups: GroupRecords;
  readonly admin: AdminRecords;
  readonly notify: NotifyRecords;

  constructor(private readonly db: Database.Database) {
    this.q = prepareStatements(db);
    this.files = new SqliteFileRecords(db);
    this.groups = new SqliteGroupRecords(db, {
      grouped: (run) => this.grouped(run),
      mailboxSize: ({ account, deviceId }) =>
        this.readCache.cachedMailboxCount(mailboxKey(account, deviceId)) ??
        int((this.q.mailboxCount.get(account, deviceId) as Row).n),
      setMailboxSize: ({ account, deviceId }, n) =>
        this.readCache.setMailboxCount(mailboxKey(account, deviceId), n),
    });
    this.admin = new SqliteAdminRecords(db, this.files, () => {
      this.readCache.clear();
      this.wrote();
    });
    this.notify = new SqliteNotifyRecords(db);
    ({ runAll: this.runAll, enqueueAll: this.enqueueAll, ackAll: this.ackAll } = this.hotTransactions());
  }

  async createAccount(account: AccountRecord, devices: DeviceListUpdate['devices']): Promise<boolean> {
    try {
      return this.db.transaction(() => {
        const res = this.q.insertAccount.run(account);
        if (res.changes === 0) return false;
        for (const d of devices)
          this.q.upsertDevice.run(account.name, d.deviceId, d.signingKey, d.certificate ?? null);
        return true;
      })();
    } finally {
      this.readCache.accountChanged(account.name);
      this.wrote();
    }
  }

  async getAccount(name: string): Promise<AccountRecord | undefined> {
    const r = this.q.getAccount.get(name) as Row | undefined;
    return r === undefined ? undefined : toAccount(r);
  }

  /** better-sqlite3 reads synchronously: the relay's reads need no turn of the event loop. */
  readonly immediate: ImmediateReads = {
    accountExists: (name) =>
      this.cache().accountExists(name, () => this.q.accountExists.get(name) !== undefined),
    isBlocked: (blocker, blocked) =>
      this.cache().isBlocked(blocker, blocked, () => this.q.isBlocked.get(blocker, blocked) !== undefined),
    getContact: (owner, peer) => this.cache().contact(owner, peer, () => this.contactSync(owner, peer)),
    listDeviceIds: (account) =>
      this.cache().deviceIds(account, () =>
        (this.q.listDeviceIds.all(account) as Row[]).map((r) => int(r.device_id)),
      ),
  };

  async accountExists(name: string): Promise<boolean> {
    return this.immediate.accountExists(name);
  }

  async listDeviceIds(account: string): Promise<number[]> {
    return [...this.immediate.listDeviceIds(account)];
  }

  async replaceDeviceList(name: string, expectedVersion: number, update: DeviceListUpdate): Promise<boolean> {
    try {
      return this.replaceDeviceListTx(name, expectedVersion, update);
    } finally {
      this.readCache.accountChanged(name);
      this.wrote();
    }
  }

  private replaceDeviceListTx(name: string, expectedVersion: number, update: DeviceListUpdate): boolean {
    return this.db.transaction(() => {
      const res = this.q.casDeviceList.run(update.deviceList, update.version, name, expectedVersion);
      if (res.changes === 0) return false;
      const next = new Map(update.devices.map((d) => [d.deviceId, d.signingKey]));
      for (const old of (this.q.listDevices.all(name) as Row[]).map(toDevice)) {
        const key = next.get(old.deviceId);
        if (key !== undefined && Buffer.compare(key, old.signingKey) === 0) continue;
        this.q.deleteDevice.run(name, old.deviceId);
        this.q.deleteMailbox.run(name, old.deviceId);
      }
      for (const d of update.devices)
        this.q.upsertDevice.run(name, d.deviceId, d.signingKey, d.certificate ?? null);
      return true;
    })();
  }

  async setBackup(name: string, backup: Uint8Array): Promise<void> {
    this.q.setBackup.run(backup, name);
  }

  async getDevice(account: string, deviceId: number): Promise<DeviceRecord | undefined> {
    const r = this.q.getDevice.get(account, deviceId) as Row | undefined;
    return r === undefined ? undefined : toDevice(r);
  }

  async listDevices(account: string): Promise<DeviceRecord[]> {
    return (this.q.listDevices.all(account) as Row[]).map(toDevice);
  }

  async setLastSeen(account: string, at: number): Promise<void> {
    this.q.setLastSeen.run(at, account);
  }

  async setPresence(account: string, state: PresenceState, text: string | undefined): Promise<void> {
    this.q.setPresence.run(state, text ?? null, account);
  }

  async getPresence(account: string): Promise<StoredPresence | undefined> {
    const r = this.q.getPresence.get(account) as Row | undefined;
    return r === undefined ? undefined : toPresence(r);
  }

  async putDeviceKeys(device: DeviceAddress, keys: DeviceKeysUpdate): Promise<boolean> {
    return this.db.transaction(() => {
      const { account, deviceId } = device;
      if (this.q.getDevice.get(account, deviceId) === undefined) return false;
      if (keys.certificate) this.q.setCertificate.run(keys.certificate, account, deviceId);
      if (keys.signedPrekey) {
        this.q.putSigned.run(account, deviceId, 'x25519', keys.signedPrekey.keyId, keys.signedPrekey.encoded);
      }
      if (keys.lastResortKem) {
        const k = keys.lastResortKem;
        this.q.putSigned.run(account, deviceId, 'mlkem-last-resort', k.keyId, k.encoded);
      }
      return true;
    })();
  }

  async addOneTimePrekeys(
    device: DeviceAddress,
    kind: OneTimeKind,
    keys: readonly StoredPrekey[],
  ): Promise<boolean> {
    return this.db.transaction(() => {
      if (this.q.getDevice.get(device.account, device.deviceId) === undefined) return false;
      for (const k of keys) this.q.putOneTime.run(device.account, device.deviceId, kind, k.keyId, k.encoded);
      return true;
    })();
  }

  async countOneTimePrekeys(device: DeviceAddress): Promise<{ x25519: number; mlkem: number }> {
    return this.countSync(device);
  }

  private countSync(device: DeviceAddress): { x25519: number; mlkem: number } {
    const out = { x25519: 0, mlkem: 0 };
    for (const r of this.q.countOneTime.all(device.account, device.deviceId) as Row[]) {
      if (r.kind === 'x25519') out.x25519 = int(r.n);
      if (r.kind === 'mlkem') out.mlkem = int(r.n);
    }
    return out;
  }

  async takeBundle(device: DeviceAddress): Promise<StoredBundle | undefined> {
    // One IMMEDIATE transaction: the DELETE ... RETURNING hands each one-time key to exactly one caller,
    // even across processes sharing the file.
    return this.db
      .transaction((): StoredBundle | undefined => {
        const { account, deviceId } = device;
        const row = this.q.getDevice.get(account, deviceId) as Row | undefined;
        const dev = row === undefined ? undefined : toDevice(row);
        const signed = toPrekey(this.q.getSigned.get(account, deviceId, 'x25519') as Row | undefined);
        const lastResort = toPrekey(
          this.q.getSigned.get(account, deviceId, 'mlkem-last-resort') as Row | undefined,
        );
        const certificate = dev?.certificate;
        if (
          dev === undefined ||
          certificate === undefined ||
          signed === undefined ||
          lastResort === undefined
        ) {
          return undefined;
        }
        const take = (kind: OneTimeKind) =>
          toPrekey(this.q.takeOneTime.get({ account, deviceId, kind }) as Row | undefined);
        const oneTimeX25519 = take('x25519');
        const oneTimeKem = take('mlkem');
        return {
          device: { ...dev, certificate },
          signedPrekey: signed,
          lastResortKem: lastResort,
          oneTimeX25519,
          oneTimeKem,
          remaining: this.countSync(device),
        };
      })
      .immediate();
  }

  /**
   * The read cache, emptied first when another connection committed since the last look. The look is
   * made at most once per event-loop turn (and again after any write by a store of this process), so
   * another process's commit is seen from the next turn on: the same window as between the relay's
   * checks and its commit, which spans a turn anyway. `exact` looks every time: inside a write
   * transaction (which holds the file's write lock) the answer then stays true until it ends.
   */
  private cache(exact = false): ReadCache {
    if (exact || this.checkedAt !== processWrites) {
      const v = (this.q.dataVersion.get() as Row).data_version;
      if (v !== this.seenVersion) {
        this.readCache.clear();
        this.seenVersion = v;
      }
      if (this.checkedAt === -1) setImmediate(this.endTurn);
      this.checkedAt = processWrites;
    }
    return this.readCache;
  }

  private readonly endTurn = () => {
    this.checkedAt = -1;
  };

  /** Notes a write other stores of this process may have cached (see `processWrites`). */
  private wrote(): void {
    processWrites++;
  }

  /**
   * Group commit: writes that arrive in the same event-loop turn share one transaction (and one fsync);
   * each send runs in its own savepoint, so one failing write does not undo the others (acks need none:
   * their deletes are idempotent). Every caller's promise settles only after the shared commit, so
   * "resolved" still means "durable".
   */
  private grouped<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run, resolve: resolve as (v: unknown) => void, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const ops = this.pending.splice(0);
    if (ops.length === 0) return;
    let results: { ok: boolean; value: unknown }[];
    try {
      results = this.runAll.immediate(ops);
    } catch (err) {
      // Rolled back: mailbox sizes counted inside the transaction are void.
      this.readCache.mailboxesChanged();
      for (const op of ops) op.reject(err);
      return;
    }
    ops.forEach((op, i) => {
      const r = results[i];
      if (r?.ok) op.resolve(r.value);
      else op.reject(r?.value);
    });
  }

  async enqueue(envelopes: readonly NewEnvelope[], maxPerMailbox: number): Promise<EnqueueResult> {
    try {
      return await this.grouped(() => this.enqueueTx(envelopes, maxPerMailbox));
    } catch (err) {
      if (err instanceof MailboxFull) return { ok: false, full: err.address };
      throw err;
    }
  }

  private enqueueTx(envelopes: readonly NewEnvelope[], maxPerMailbox: number): EnqueueResult {
    return this.enqueueAll(envelopes, maxPerMailbox);
  }

  /** Builds the hot transactions once (better-sqlite3 wraps each `transaction()` call anew). */
  private hotTransactions() {
    const runAll = this.db.transaction((ops: readonly { run: () => unknown }[]) => {
      // Mailbox sizes below are only trusted when no other connection wrote since they were counted.
      this.cache(true);
      return ops.map((op) => {
        try {
          return { ok: true, value: op.run() };
        } catch (err) {
          return { ok: false, value: err };
        }
      });
    });
    const enqueueAll = this.db.transaction(
      (envelopes: readonly NewEnvelope[], maxPerMailbox: number): EnqueueResult => {
        let stored = 0;
        const seqs: number[] = [];
        // Sizes after this send, by mailbox, applied to the cache only once every insert succeeded (a
        // throw rolls this savepoint back, and the cache must not keep counts of rows that are gone).
        const sizes = new Map<string, number>();
        for (const e of envelopes) {
          const { account, deviceId } = e.recipient;
          const key = mailboxKey(account, deviceId);
          const count =
            sizes.get(key) ??
            this.readCache.cachedMailboxCount(key) ??
            int((this.q.mailboxCount.get(account, deviceId) as Row).n);
          if (count >= maxPerMailbox) throw new MailboxFull(e.recipient);
          const res = this.q.insertEnvelope.run(
            account,
            deviceId,
            e.id,
            e.sender.account,
            e.sender.deviceId,
            e.body,
            e.receivedAt,
          );
          stored++;
          seqs.push(Number(res.lastInsertRowid));
          sizes.set(key, count + 1);
        }
        for (const [key, n] of sizes) this.readCache.setMailboxCount(key, n);
        return { ok: true, stored, seqs };
      },
    );
    // Runs inside the group commit's transaction without a savepoint of its own: deletes are idempotent,
    // so one that fails halfway leaves nothing wrong behind (the device acknowledges again).
    const ackAll = (device: DeviceAddress, acks: readonly EnvelopeRef[]) => {
      let n = 0;
      try {
        for (const a of acks)
          n += this.q.ackEnvelope.run(a.seq, device.account, device.deviceId, a.id).changes;
      } finally {
        this.readCache.adjustMailboxCount(device.account, device.deviceId, -n);
      }
      return n;
    };
    return { runAll, enqueueAll, ackAll };
  }

  async fetchMailbox(
    device: DeviceAddress,
    afterSeq: number,
    notBefore: number,
    limit: number,
  ): Promise<StoredEnvelope[]> {
    const rows = this.q.fetchMailbox.all(
      device.account,
      device.deviceId,
      afterSeq,
      notBefore,
      limit,
    ) as Row[];
    // The recipient is the device asked about: not read back from each row.
    const recipient = { account: device.account, deviceId: device.deviceId };
    return rows.map((r) => ({
      seq: int(r.seq),
      id: bytes(r.id),
      sender: { account: text(r.sender_account), deviceId: int(r.sender_device) },
      recipient,
      body: bytes(r.body),
      receivedAt: int(r.received_at),
      group: toEnvelopeGroup(r),
    }));
  }

  async ackEnvelopes(device: DeviceAddress, acks: readonly EnvelopeRef[]): Promise<number> {
    return this.grouped(() => this.ackAll(device, acks));
  }

  async expireEnvelopes(before: number): Promise<number> {
    try {
      return this.q.expire.run(before).changes;
    } finally {
      this.readCache.mailboxesChanged();
    }
  }

  async mailboxDepth(): Promise<number> {
    return int((this.q.depth.get() as Row).n);
  }

  async requestContact(from: string, to: string): Promise<ContactRequestResult> {
    return this.changingRelations(() => this.requestContactTx(from, to));
  }

  private requestContactTx(from: string, to: string): ContactRequestResult {
    return this.db
      .transaction((): ContactRequestResult => {
        const mine = this.contactSync(from, to);
        if (mine === 'accepted' || mine === 'outgoing') return 'unchanged';
        if (mine === 'incoming') {
          this.q.setContact.run(from, to, 'accepted');
          this.q.setContact.run(to, from, 'accepted');
          return 'accepted';
        }
        this.q.setContact.run(from, to, 'outgoing');
        this.q.setContact.run(to, from, 'incoming');
        return 'pending';
      })
      .immediate();
  }

  async acceptContact(owner: string, peer: string): Promise<boolean> {
    return this.changingRelations(() => this.acceptContactTx(owner, peer));
  }

  private acceptContactTx(owner: string, peer: string): boolean {
    return this.db
      .transaction(() => {
        if (this.contactSync(owner, peer) !== 'incoming') return false;
        this.q.setContact.run(owner, peer, 'accepted');
        this.q.setContact.run(peer, owner, 'accepted');
        return true;
      })
      .immediate();
  }

  async removeContact(a: string, b: string): Promise<boolean> {
    return this.changingRelations(() =>
      this.db.transaction(() => {
        const n = this.q.deleteContact.run(a, b).changes + this.q.deleteContact.run(b, a).changes;
        return n > 0;
      })(),
    );
  }

  /** Runs a write to contacts or blocks, then drops the cached relations (committed or not). */
  private changingRelations<T>(write: () => T): T {
    try {
      return write();
    } finally {
      this.readCache.relationsChanged();
      this.wrote();
    }
  }

  private contactSync(owner: string, peer: string): ContactState | undefined {
    const r = this.q.getContact.get(owner, peer) as Row | undefined;
    return r === undefined ? undefined : (text(r.state) as ContactState);
  }

  async getContact(owner: string, peer: string): Promise<ContactState | undefined> {
    return this.immediate.getContact(owner, peer);
  }

  async listContacts(owner: string): Promise<ContactRecord[]> {
    return (this.q.listContacts.all(owner) as Row[]).map((r) => ({
      peer: text(r.peer),
      state: text(r.state) as ContactState,
    }));
  }

  async block(blocker: string, blocked: string): Promise<void> {
    this.changingRelations(() =>
      this.db.transaction(() => {
        this.q.block.run(blocker, blocked);
        this.q.deleteContact.run(blocker, blocked);
        this.q.deleteContact.run(blocked, blocker);
      })(),
    );
  }

  async unblock(blocker: string, blocked: string): Promise<void> {
    this.changingRelations(() => this.q.unblock.run(blocker, blocked));
  }

  async isBlocked(blocker: string, blocked: string): Promise<boolean> {
    return this.immediate.isBlocked(blocker, blocked);
  }

  async listBlocked(blocker: string): Promise<string[]> {
    return (this.q.listBlocked.all(blocker) as Row[]).map((r) => text(r.blocked));
  }

  async hasAccounts(): Promise<boolean> {
    return this.q.hasAccounts.get() !== undefined;
  }

  async getSetting(name: string): Promise<string | undefined> {
    const r = this.q.getSetting.get(name) as Row | undefined;
    return r === undefined ? undefined : text(r.value);
  }

  async recordSetting(name: string, value: string): Promise<string> {
    this.q.recordSetting.run(name, value);
    return (await this.getSetting(name)) ?? value;
  }

  async ping(): Promise<void> {
    this.q.ping.get();
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.flush();
    this.db.close();
  }
}

/** Thrown inside `enqueue`'s transaction to roll the whole send back when one mailbox is full. */
class MailboxFull extends Error {
  constructor(readonly address: DeviceAddress) {
    super('mailbox full');
  }
}
