/**
 * {@link GroupRecords} on SQLite. Commits, messages, creations and leaves run inside the store's group
 * commit (one transaction and one fsync shared with concurrent 1:1 sends, each in its own savepoint), so
 * they take effect in the order they were accepted; SQLite's single writer makes every check inside
 * them exact. Mailbox sizes come from the store's read cache, as for 1:1 sends.
 */
import type Database from 'better-sqlite3';
import type {
  ClaimedKeyPackage,
  GroupExpiry,
  GroupFanout,
  GroupPayloadKind,
  GroupRecord,
  GroupRecords,
  GroupRefusal,
  KeyPackageCount,
  KeyPackageStoreLimits,
  LoggedCommitRecord,
  NewCommit,
  NewGroupMessage,
} from './group-records.js';
import { bytes, int, type Row, text } from './sqlite-rows.js';
import type { DeviceAddress, StoredEnvelope } from './store.js';

/** The statements, by name (migrations 6 and 9). */
const SQL = {
  deviceExists: 'SELECT 1 FROM devices WHERE account = ? AND device_id = ?',
  kpCount: 'SELECT COUNT(*) AS n FROM mls_key_packages WHERE account = ? AND device_id = ? AND suite = ?',
  kpCountAll: 'SELECT COUNT(*) AS n FROM mls_key_packages WHERE account = ? AND device_id = ?',
  kpOtherSuites: `SELECT COUNT(*) AS n FROM (SELECT suite FROM mls_key_packages WHERE account = ? AND device_id = ?
       UNION SELECT suite FROM mls_last_resort WHERE account = ? AND device_id = ?) AS s WHERE suite <> ?`,
  kpInsert: 'INSERT INTO mls_key_packages (account, device_id, suite, encoded) VALUES (?, ?, ?, ?)',
  kpTake: `DELETE FROM mls_key_packages WHERE seq = (SELECT seq FROM mls_key_packages
       WHERE account = ? AND device_id = ? AND suite = ? ORDER BY seq LIMIT 1) RETURNING encoded`,
  lastResortPut: `INSERT INTO mls_last_resort (account, device_id, suite, encoded) VALUES (?, ?, ?, ?)
     ON CONFLICT (account, device_id, suite) DO UPDATE SET encoded = excluded.encoded`,
  lastResortGet: 'SELECT encoded FROM mls_last_resort WHERE account = ? AND device_id = ? AND suite = ?',
  insertGroup: `INSERT INTO mls_groups (id, suite, epoch, created_at) VALUES (?, ?, 0, ?)
     ON CONFLICT (id) DO NOTHING`,
  getGroup: 'SELECT id, suite, epoch, created_at FROM mls_groups WHERE id = ?',
  setEpoch: 'UPDATE mls_groups SET epoch = ? WHERE id = ?',
  deleteGroup: 'DELETE FROM mls_groups WHERE id = ?',
  countGroups: 'SELECT COUNT(*) AS n FROM mls_groups',
  insertMember: 'INSERT INTO group_members (group_id, account, device_id, joined_epoch) VALUES (?, ?, ?, ?)',
  deleteMember: 'DELETE FROM group_members WHERE group_id = ? AND account = ? AND device_id = ?',
  member: 'SELECT joined_epoch FROM group_members WHERE group_id = ? AND account = ? AND device_id = ?',
  roster: 'SELECT account, device_id FROM group_members WHERE group_id = ? ORDER BY account, device_id',
  rosterSize: 'SELECT COUNT(*) AS n FROM group_members WHERE group_id = ?',
  groupsOf: 'SELECT group_id FROM group_members WHERE account = ? AND device_id = ? ORDER BY group_id',
  insertCommit: `INSERT INTO group_commits (group_id, epoch, commit_message, welcome, created_at)
     VALUES (?, ?, ?, ?, ?)`,
  commits: `SELECT epoch, commit_message, CASE WHEN epoch = ? THEN welcome END AS welcome FROM group_commits
     WHERE group_id = ? AND epoch >= ? ORDER BY epoch LIMIT ?`,
  expireCommits: 'DELETE FROM group_commits WHERE created_at < ?',
  deleteEmptyGroups: `DELETE FROM mls_groups
     WHERE NOT EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = mls_groups.id)`,
  insertBody: 'INSERT INTO group_bodies (group_id, kind, epoch, body, created_at) VALUES (?, ?, ?, ?, ?)',
  insertRef: `INSERT INTO envelopes (recipient_account, recipient_device, id, sender_account, sender_device, body,
       received_at, group_body) VALUES (?, ?, ?, ?, ?, x'', ?, ?)`,
  releasedBound: 'SELECT seq FROM group_bodies_released ORDER BY seq LIMIT 1 OFFSET ?',
  releasedMax: 'SELECT MAX(seq) AS n FROM group_bodies_released',
  collect: `DELETE FROM group_bodies WHERE id IN (SELECT body FROM group_bodies_released WHERE seq <= ?)
     AND NOT EXISTS (SELECT 1 FROM envelopes e WHERE e.group_body = group_bodies.id)`,
  clearReleased: 'DELETE FROM group_bodies_released WHERE seq <= ?',
  bodyUsage: 'SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(body)), 0) AS bytes FROM group_bodies',
} as const;

/** Released rows the collector handles per transaction (it yields to the event loop between them). */
const COLLECT_BATCH = 10_000;

/** What the group records use of the `SqliteStore` that owns them. */
export interface SqliteGroupHost {
  /** Runs `run` inside the store's group commit; resolves once it is durable. */
  grouped<T>(run: () => T): Promise<T>;
  /** The number of envelopes in the device's mailbox (cached; exact inside a group commit). */
  mailboxSize(device: DeviceAddress): number;
  /** Records a mailbox's size after envelopes were added in the current transaction. */
  setMailboxSize(device: DeviceAddress, n: number): void;
}

const toDevice = (r: Row): DeviceAddress => ({ account: text(r.account), deviceId: int(r.device_id) });
const key = (d: DeviceAddress) => `${d.account}\n${d.deviceId}`;

/** {@link GroupRecords} over a better-sqlite3 connection (owned by the `SqliteStore`). */
export class SqliteGroupRecords implements GroupRecords {
  private readonly q: { readonly [K in keyof typeof SQL]: Database.Statement };
  private readonly addKeyPackagesTx;
  private readonly claimTx;
  private readonly commitTx;
  private readonly sendTx;
  private readonly leaveTx;
  private readonly collectTx;

  constructor(
    private readonly db: Database.Database,
    private readonly host: SqliteGroupHost,
  ) {
    const q: Record<string, Database.Statement> = {};
    for (const [name, sql] of Object.entries(SQL)) q[name] = db.prepare(sql);
    this.q = q as SqliteGroupRecords['q'];
    this.addKeyPackagesTx = db.transaction(
      (
        d: DeviceAddress,
        suite: number,
        kps: readonly Uint8Array[],
        lastResort: Uint8Array | undefined,
        limits: KeyPackageStoreLimits,
      ) => {
        const { account, deviceId } = d;
        if (this.q.deviceExists.get(account, deviceId) === undefined) return 'unknown-device' as const;
        const n = int((this.q.kpCountAll.get(account, deviceId) as Row).n);
        if (n + kps.length > limits.maxStored) return 'full' as const;
        if (kps.length === 0 && lastResort === undefined) return 'ok' as const;
        const others = int((this.q.kpOtherSuites.get(account, deviceId, account, deviceId, suite) as Row).n);
        if (others + 1 > limits.maxSuites) return 'suites' as const;
        for (const kp of kps) this.q.kpInsert.run(account, deviceId, suite, kp);
        if (lastResort !== undefined) this.q.lastResortPut.run(account, deviceId, suite, lastResort);
        return 'ok' as const;
      },
    );
    this.claimTx = db.transaction((devices: readonly DeviceAddress[], suite: number) => {
      const out: ClaimedKeyPackage[] = [];
      for (const device of devices) {
        const { account, deviceId } = device;
        const taken = this.q.kpTake.get(account, deviceId, suite) as Row | undefined;
        const kp = taken ?? (this.q.lastResortGet.get(account, deviceId, suite) as Row | undefined);
        if (kp === undefined) continue;
        const remaining = int((this.q.kpCount.get(account, deviceId, suite) as Row).n);
        out.push({ device, keyPackage: bytes(kp.encoded), lastResort: taken === undefined, remaining });
      }
      return out;
    });
    this.commitTx = db.transaction((c: NewCommit, maxPerMailbox: number, maxDevices: number) =>
      this.applyCommit(c, maxPerMailbox, maxDevices),
    );
    this.sendTx = db.transaction((m: NewGroupMessage, maxPerMailbox: number) =>
      this.applySend(m, maxPerMailbox),
    );
    this.leaveTx = db.transaction((id: Uint8Array, d: DeviceAddress) => {
      if (this.q.deleteMember.run(id, d.account, d.deviceId).changes === 0) return false;
      if (int((this.q.rosterSize.get(id) as Row).n) === 0) this.q.deleteGroup.run(id);
      return true;
    });
    this.collectTx = db.transaction((upTo: number) => {
      const n = this.q.collect.run(upTo).changes;
      this.q.clearReleased.run(upTo);
      return n;
    });
  }

  async addKeyPackages(
    device: DeviceAddress,
    suite: number,
    keyPackages: readonly Uint8Array[],
    lastResort: Uint8Array | undefined,
    limits: KeyPackageStoreLimits,
  ): Promise<'ok' | 'full' | 'suites' | 'unknown-device'> {
    return this.addKeyPackagesTx(device, suite, keyPackages, lastResort, limits);
  }

  async countKeyPackages(device: DeviceAddress, suite: number): Promise<KeyPackageCount> {
    const n = int((this.q.kpCount.get(device.account, device.deviceId, suite) as Row).n);
    const lastResort = this.q.lastResortGet.get(device.account, device.deviceId, suite) !== undefined;
    return { count: n, lastResort };
  }

  async claimKeyPackages(devices: readonly DeviceAddress[], suite: number): Promise<ClaimedKeyPackage[]> {
    // IMMEDIATE: the write lock first, so processes sharing the file never hand out one KeyPackage twice.
    return this.claimTx.immediate(devices, suite);
  }

  async createGroup(group: GroupRecord, creator: DeviceAddress): Promise<boolean> {
    return this.host.grouped(() =>
      this.db.transaction(() => {
        if (this.q.insertGroup.run(group.id, group.suite, group.createdAt).changes === 0) return false;
        this.q.insertMember.run(group.id, creator.account, creator.deviceId, 0);
        return true;
      })(),
    );
  }

  async getGroup(id: Uint8Array): Promise<GroupRecord | undefined> {
    return this.group(id);
  }

  private group(id: Uint8Array): GroupRecord | undefined {
    const r = this.q.getGroup.get(id) as Row | undefined;
    if (r === undefined) return undefined;
    return { id: bytes(r.id), suite: int(r.suite), epoch: int(r.epoch), createdAt: int(r.created_at) };
  }

  async roster(id: Uint8Array): Promise<DeviceAddress[]> {
    return (this.q.roster.all(id) as Row[]).map(toDevice);
  }

  async joinedEpoch(id: Uint8Array, device: DeviceAddress): Promise<number | undefined> {
    const r = this.q.member.get(id, device.account, device.deviceId) as Row | undefined;
    return r === undefined ? undefined : int(r.joined_epoch);
  }

  async commit(c: NewCommit, maxPerMailbox: number, maxDevices: number): Promise<GroupFanout | GroupRefusal> {
    return this.host.grouped(() => this.commitTx(c, maxPerMailbox, maxDevices));
  }

  async send(m: NewGroupMessage, maxPerMailbox: number): Promise<GroupFanout | GroupRefusal> {
    return this.host.grouped(() => this.sendTx(m, maxPerMailbox));
  }

  /** The checks every group write makes first: the group exists, `device` is on it, at `epoch`. */
  private admit(id: Uint8Array, device: DeviceAddress, epoch: number): GroupRecord | GroupRefusal {
    const g = this.group(id);
    if (g === undefined) return { ok: false, reason: 'not-found' };
    if (this.q.member.get(id, device.account, device.deviceId) === undefined) {
      return { ok: false, reason: 'not-member' };
    }
    if (g.epoch !== epoch) return { ok: false, reason: 'stale', epoch: g.epoch };
    return g;
  }

  private applyCommit(c: NewCommit, maxPerMailbox: number, maxDevices: number): GroupFanout | GroupRefusal {
    const g = this.admit(c.groupId, c.committer, c.epoch);
    if ('ok' in g) return g;
    const before = (this.q.roster.all(c.groupId) as Row[]).map(toDevice);
    const onRoster = new Set(before.map(key));
    for (const a of c.added) {
      if (onRoster.has(key(a))) return { ok: false, reason: 'already-member', device: a };
      if (this.q.deviceExists.get(a.account, a.deviceId) === undefined) {
        return { ok: false, reason: 'unknown-device', device: a };
      }
    }
    const removed = c.removed.filter((d) => onRoster.has(key(d)));
    if (before.length - removed.length + c.added.length > maxDevices)
      return { ok: false, reason: 'too-large' };
    const next = c.epoch + 1;
    this.q.insertCommit.run(c.groupId, c.epoch, c.commit, c.welcome ?? null, c.receivedAt);
    for (const d of removed) this.q.deleteMember.run(c.groupId, d.account, d.deviceId);
    for (const d of c.added) this.q.insertMember.run(c.groupId, d.account, d.deviceId, next);
    this.q.setEpoch.run(next, c.groupId);
    const committer = key(c.committer);
    const out: StoredEnvelope[] = [];
    const skipped: DeviceAddress[] = [];
    const base = { groupId: c.groupId, sender: c.committer, receivedAt: c.receivedAt };
    const recipients = before.filter((d) => key(d) !== committer);
    this.fanout(
      { ...base, kind: 'commit', epoch: c.epoch, body: c.commit, id: c.commitEnvelopeId },
      recipients,
      maxPerMailbox,
      out,
      skipped,
    );
    if (c.welcome !== undefined) {
      const welcome = {
        ...base,
        kind: 'welcome' as const,
        epoch: next,
        body: c.welcome,
        id: c.welcomeEnvelopeId,
      };
      this.fanout(welcome, c.added, maxPerMailbox, out, skipped);
    }
    if (before.length - removed.length + c.added.length === 0) this.q.deleteGroup.run(c.groupId);
    return { ok: true, epoch: next, envelopes: out, skipped };
  }

  private applySend(m: NewGroupMessage, maxPerMailbox: number): GroupFanout | GroupRefusal {
    const g = this.admit(m.groupId, m.sender, m.epoch);
    if ('ok' in g) return g;
    const sender = key(m.sender);
    const recipients = (this.q.roster.all(m.groupId) as Row[]).map(toDevice).filter((d) => key(d) !== sender);
    const out: StoredEnvelope[] = [];
    const skipped: DeviceAddress[] = [];
    const payload = { ...m, kind: 'message' as const, id: m.envelopeId };
    this.fanout(payload, recipients, maxPerMailbox, out, skipped);
    return { ok: true, epoch: g.epoch, envelopes: out, skipped };
  }

  /**
   * Stores `p.body` once and one envelope pointing at it per recipient whose mailbox has room (the others
   * go to `skipped`); nothing when no recipient has room.
   */
  private fanout(
    p: {
      groupId: Uint8Array;
      kind: GroupPayloadKind;
      epoch: number;
      body: Uint8Array;
      id: Uint8Array;
      sender: DeviceAddress;
      receivedAt: number;
    },
    recipients: readonly DeviceAddress[],
    maxPerMailbox: number,
    out: StoredEnvelope[],
    skipped: DeviceAddress[],
  ): void {
    const room: { device: DeviceAddress; size: number }[] = [];
    for (const device of recipients) {
      const size = this.host.mailboxSize(device);
      if (size >= maxPerMailbox) skipped.push(device);
      else room.push({ device, size });
    }
    if (room.length === 0) return;
    const bodyId = this.q.insertBody.run(p.groupId, p.kind, p.epoch, p.body, p.receivedAt).lastInsertRowid;
    const group = { id: p.groupId, kind: p.kind, epoch: p.epoch };
    const { account: from, deviceId: fromDevice } = p.sender;
    for (const { device, size } of room) {
      const seq = this.q.insertRef.run(
        device.account,
        device.deviceId,
        p.id,
        from,
        fromDevice,
        p.receivedAt,
        bodyId,
      );
      out.push({
        seq: Number(seq.lastInsertRowid),
        id: p.id,
        sender: p.sender,
        recipient: device,
        body: p.body,
        receivedAt: p.receivedAt,
        group,
      });
      this.host.setMailboxSize(device, size + 1);
    }
  }

  async commits(
    id: Uint8Array,
    since: number,
    limit: number,
    maxBytes: number,
    welcomeAt: number | undefined,
  ): Promise<{ commits: LoggedCommitRecord[]; more: boolean }> {
    const rows = this.q.commits.all(welcomeAt ?? -1, id, since, limit + 1) as Row[];
    const commits: LoggedCommitRecord[] = [];
    let size = 0;
    for (const r of rows.slice(0, limit)) {
      const commit = bytes(r.commit_message);
      const welcome = r.welcome instanceof Uint8Array ? bytes(r.welcome) : undefined;
      size += commit.length + (welcome?.length ?? 0);
      if (commits.length > 0 && size > maxBytes) return { commits, more: true };
      commits.push({ epoch: int(r.epoch), commit, welcome });
    }
    return { commits, more: rows.length > limit };
  }

  async leave(id: Uint8Array, device: DeviceAddress): Promise<boolean> {
    return this.host.grouped(() => this.leaveTx(id, device));
  }

  async groupsOf(device: DeviceAddress): Promise<Uint8Array[]> {
    return (this.q.groupsOf.all(device.account, device.deviceId) as Row[]).map((r) => bytes(r.group_id));
  }

  async expire(before: number): Promise<GroupExpiry> {
    return this.db.transaction(() => ({
      commits: this.q.expireCommits.run(before).changes,
      groups: this.q.deleteEmptyGroups.run().changes,
    }))();
  }

  async collect(): Promise<number> {
    let n = 0;
    for (;;) {
      const bound = this.q.releasedBound.get(COLLECT_BATCH - 1) as Row | undefined;
      const upTo = bound === undefined ? (this.q.releasedMax.get() as Row).n : bound.seq;
      if (upTo === null || upTo === undefined) return n;
      n += this.collectTx(int(upTo));
      if (bound === undefined) return n;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async bodyUsage(): Promise<{ bodies: number; bytes: number }> {
    const r = this.q.bodyUsage.get() as Row;
    return { bodies: int(r.n), bytes: int(r.bytes) };
  }

  async count(): Promise<number> {
    return int((this.q.countGroups.get() as Row).n);
  }
}
