/**
 * {@link GroupRecords} on PostgreSQL, for several nodes sharing one database. Locks:
 * - a group's row: a commit takes it FOR UPDATE (so of two commits at one epoch exactly one sees it
 *   current), a message FOR SHARE (messages run side by side; a commit waits for them, and they for it);
 * - mailboxes: the same transaction-scoped advisory lock per recipient device as 1:1 sends
 *   (`PostgresStore.enqueue`), all taken in one statement in sorted order after the group's row, so `seq`
 *   order is commit order within each mailbox and no two writers wait on each other in a cycle;
 * - KeyPackages: `FOR UPDATE SKIP LOCKED`, so concurrent claims never hand out the same one.
 */
import type pg from 'pg';
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
import { mailboxLock } from './postgres-enqueue.js';
import { inTransaction, queryOne, queryRows } from './postgres-query.js';
import { bytes, int, type Row, text } from './sqlite-rows.js';
import type { DeviceAddress, StoredEnvelope } from './store.js';

/** The statements, by name (migrations 6 and 9). */
const SQL = {
  lockDevice: 'SELECT 1 FROM devices WHERE account = $1 AND device_id = $2 FOR SHARE',
  kpCount: `SELECT COUNT(*) AS n FROM mls_key_packages
     WHERE account = $1 AND device_id = $2 AND suite = $3`,
  kpCountAll: 'SELECT COUNT(*) AS n FROM mls_key_packages WHERE account = $1 AND device_id = $2',
  kpOtherSuites: `SELECT COUNT(*) AS n FROM (SELECT suite FROM mls_key_packages WHERE account = $1 AND device_id = $2
       UNION SELECT suite FROM mls_last_resort WHERE account = $1 AND device_id = $2) AS s WHERE suite <> $3`,
  kpInsert: `INSERT INTO mls_key_packages (account, device_id, suite, encoded)
     SELECT $1, $2, $3, k FROM unnest($4::bytea[]) WITH ORDINALITY AS u(k, n) ORDER BY n`,
  kpTake: `DELETE FROM mls_key_packages WHERE seq = (SELECT seq FROM mls_key_packages
       WHERE account = $1 AND device_id = $2 AND suite = $3 ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING encoded`,
  lastResortPut: `INSERT INTO mls_last_resort (account, device_id, suite, encoded) VALUES ($1, $2, $3, $4)
     ON CONFLICT (account, device_id, suite) DO UPDATE SET encoded = excluded.encoded`,
  lastResortGet: `SELECT encoded FROM mls_last_resort
     WHERE account = $1 AND device_id = $2 AND suite = $3`,
  insertGroup: `INSERT INTO mls_groups (id, suite, epoch, created_at) VALUES ($1, $2, 0, $3)
     ON CONFLICT (id) DO NOTHING`,
  getGroup: 'SELECT id, suite, epoch, created_at FROM mls_groups WHERE id = $1',
  lockGroup: 'SELECT id, suite, epoch, created_at FROM mls_groups WHERE id = $1 FOR UPDATE',
  shareGroup: 'SELECT id, suite, epoch, created_at FROM mls_groups WHERE id = $1 FOR SHARE',
  setEpoch: 'UPDATE mls_groups SET epoch = $1 WHERE id = $2',
  deleteGroup: 'DELETE FROM mls_groups WHERE id = $1',
  countGroups: 'SELECT COUNT(*) AS n FROM mls_groups',
  insertMembers: `INSERT INTO group_members (group_id, account, device_id, joined_epoch)
     SELECT $1, a, d, $4 FROM unnest($2::text[], $3::bigint[]) AS u(a, d)`,
  deleteMember: 'DELETE FROM group_members WHERE group_id = $1 AND account = $2 AND device_id = $3',
  member: 'SELECT joined_epoch FROM group_members WHERE group_id = $1 AND account = $2 AND device_id = $3',
  roster: `SELECT account, device_id FROM group_members WHERE group_id = $1
     ORDER BY account COLLATE "C", device_id`,
  rosterSize: 'SELECT COUNT(*) AS n FROM group_members WHERE group_id = $1',
  groupsOf: 'SELECT group_id FROM group_members WHERE account = $1 AND device_id = $2 ORDER BY group_id',
  existingDevices: `SELECT u.a AS account, u.d AS device_id FROM unnest($1::text[], $2::bigint[]) AS u(a, d)
     WHERE EXISTS (SELECT 1 FROM devices v WHERE v.account = u.a AND v.device_id = u.d)`,
  insertCommit: `INSERT INTO group_commits (group_id, epoch, commit_message, welcome, created_at)
     VALUES ($1, $2, $3, $4, $5)`,
  commits: `SELECT epoch, commit_message, CASE WHEN epoch = $1 THEN welcome END AS welcome FROM group_commits
     WHERE group_id = $2 AND epoch >= $3 ORDER BY epoch LIMIT $4`,
  expireCommits: 'DELETE FROM group_commits WHERE created_at < $1',
  deleteEmptyGroups: `DELETE FROM mls_groups
     WHERE NOT EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = mls_groups.id)`,
  /** The mailbox locks of `PostgresStore.enqueue`, taken in the order given (sorted by the caller). */
  lockNames: 'SELECT pg_advisory_xact_lock(hashtextextended(n, 0)) FROM unnest($1::text[]) AS n',
  mailboxSizes: `SELECT (SELECT COUNT(*) FROM envelopes e WHERE e.recipient_account = u.a
       AND e.recipient_device = u.d) AS n FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS u(a, d, i)
     ORDER BY i`,
  insertBody: `INSERT INTO group_bodies (group_id, kind, epoch, body, created_at) VALUES ($1, $2, $3, $4, $5)
     RETURNING id`,
  insertRefs: `INSERT INTO envelopes (recipient_account, recipient_device, id, sender_account, sender_device, body,
       received_at, group_body)
     SELECT a, d, $3, $4, $5, ''::bytea, $6, $7 FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS u(a, d, i)
     ORDER BY i RETURNING seq, recipient_account, recipient_device`,
  releasedBound: 'SELECT seq FROM group_bodies_released ORDER BY seq OFFSET $1 LIMIT 1',
  releasedMax: 'SELECT MAX(seq) AS n FROM group_bodies_released',
  collect: `DELETE FROM group_bodies b WHERE b.id IN (SELECT body FROM group_bodies_released WHERE seq <= $1)
     AND NOT EXISTS (SELECT 1 FROM envelopes e WHERE e.group_body = b.id)`,
  clearReleased: 'DELETE FROM group_bodies_released WHERE seq <= $1',
  bodyUsage: 'SELECT COUNT(*) AS n, COALESCE(SUM(octet_length(body)), 0) AS bytes FROM group_bodies',
} as const;

/** Released rows the collector handles per transaction. */
const COLLECT_BATCH = 10_000;

const bytesParam = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const toDevice = (r: Row): DeviceAddress => ({ account: text(r.account), deviceId: int(r.device_id) });
const key = (d: DeviceAddress) => `${d.account}\n${d.deviceId}`;
const toGroup = (r: Row): GroupRecord => ({
  id: bytes(r.id),
  suite: int(r.suite),
  epoch: int(r.epoch),
  createdAt: int(r.created_at),
});

/** One fan-out: a payload stored once, and who gets an envelope pointing at it. */
interface Payload {
  readonly groupId: Uint8Array;
  readonly kind: GroupPayloadKind;
  readonly epoch: number;
  readonly body: Uint8Array;
  readonly id: Uint8Array;
  readonly sender: DeviceAddress;
  readonly receivedAt: number;
  readonly recipients: readonly DeviceAddress[];
}

/** {@link GroupRecords} over a node-postgres pool (owned by the `PostgresStore`). */
export class PostgresGroupRecords implements GroupRecords {
  constructor(private readonly pool: pg.Pool) {}

  async addKeyPackages(
    device: DeviceAddress,
    suite: number,
    keyPackages: readonly Uint8Array[],
    lastResort: Uint8Array | undefined,
    limits: KeyPackageStoreLimits,
  ): Promise<'ok' | 'full' | 'suites' | 'unknown-device'> {
    const { account, deviceId } = device;
    return inTransaction(this.pool, async (c) => {
      // The device row, shared: a concurrent upload of the same device waits here (count, then insert).
      if ((await queryOne(c, SQL.lockDevice, [account, deviceId])) === undefined) return 'unknown-device';
      await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        JSON.stringify(['key-packages', account, deviceId]),
      ]);
      const n = int((await queryOne(c, SQL.kpCountAll, [account, deviceId]))?.n);
      if (n + keyPackages.length > limits.maxStored) return 'full';
      if (keyPackages.length === 0 && lastResort === undefined) return 'ok';
      const others = int((await queryOne(c, SQL.kpOtherSuites, [account, deviceId, suite]))?.n);
      if (others + 1 > limits.maxSuites) return 'suites';
      if (keyPackages.length > 0) {
        await c.query(SQL.kpInsert, [account, deviceId, suite, keyPackages.map(bytesParam)]);
      }
      if (lastResort !== undefined) {
        await c.query(SQL.lastResortPut, [account, deviceId, suite, bytesParam(lastResort)]);
      }
      return 'ok';
    });
  }

  async countKeyPackages(device: DeviceAddress, suite: number): Promise<KeyPackageCount> {
    const params = [device.account, device.deviceId, suite];
    const [n, lastResort] = await Promise.all([
      queryOne(this.pool, SQL.kpCount, params),
      queryOne(this.pool, SQL.lastResortGet, params),
    ]);
    return { count: int(n?.n), lastResort: lastResort !== undefined };
  }

  async claimKeyPackages(devices: readonly DeviceAddress[], suite: number): Promise<ClaimedKeyPackage[]> {
    return inTransaction(this.pool, async (c) => {
      const out: ClaimedKeyPackage[] = [];
      for (const device of devices) {
        const params = [device.account, device.deviceId, suite];
        const taken = await queryOne(c, SQL.kpTake, params);
        const kp = taken ?? (await queryOne(c, SQL.lastResortGet, params));
        if (kp === undefined) continue;
        const remaining = int((await queryOne(c, SQL.kpCount, params))?.n);
        out.push({ device, keyPackage: bytes(kp.encoded), lastResort: taken === undefined, remaining });
      }
      return out;
    });
  }

  async createGroup(group: GroupRecord, creator: DeviceAddress): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      const inserted = await c.query(SQL.insertGroup, [bytesParam(group.id), group.suite, group.createdAt]);
      if ((inserted.rowCount ?? 0) === 0) return false;
      await c.query(SQL.insertMembers, [bytesParam(group.id), [creator.account], [creator.deviceId], 0]);
      return true;
    });
  }

  async getGroup(id: Uint8Array): Promise<GroupRecord | undefined> {
    const r = await queryOne(this.pool, SQL.getGroup, [bytesParam(id)]);
    return r === undefined ? undefined : toGroup(r);
  }

  async roster(id: Uint8Array): Promise<DeviceAddress[]> {
    return (await queryRows(this.pool, SQL.roster, [bytesParam(id)])).map(toDevice);
  }

  async joinedEpoch(id: Uint8Array, device: DeviceAddress): Promise<number | undefined> {
    const r = await queryOne(this.pool, SQL.member, [bytesParam(id), device.account, device.deviceId]);
    return r === undefined ? undefined : int(r.joined_epoch);
  }

  /** Locks the group row (`lock`: the statement) and checks `device` and `epoch`, as in SQLite's `admit`. */
  private async admit(
    c: pg.PoolClient,
    lock: string,
    id: Uint8Array,
    device: DeviceAddress,
    epoch: number,
  ): Promise<GroupRecord | GroupRefusal> {
    const r = await queryOne(c, lock, [bytesParam(id)]);
    if (r === undefined) return { ok: false, reason: 'not-found' };
    if ((await queryOne(c, SQL.member, [bytesParam(id), device.account, device.deviceId])) === undefined) {
      return { ok: false, reason: 'not-member' };
    }
    const g = toGroup(r);
    if (g.epoch !== epoch) return { ok: false, reason: 'stale', epoch: g.epoch };
    return g;
  }

  async commit(c: NewCommit, maxPerMailbox: number, maxDevices: number): Promise<GroupFanout | GroupRefusal> {
    const gid = bytesParam(c.groupId);
    return inTransaction(this.pool, async (db): Promise<GroupFanout | GroupRefusal> => {
      const g = await this.admit(db, SQL.lockGroup, c.groupId, c.committer, c.epoch);
      if ('ok' in g) return g;
      const before = (await queryRows(db, SQL.roster, [gid])).map(toDevice);
      const onRoster = new Set(before.map(key));
      const already = c.added.find((a) => onRoster.has(key(a)));
      if (already !== undefined) return { ok: false, reason: 'already-member', device: already };
      if (c.added.length > 0) {
        const found = await queryRows(db, SQL.existingDevices, [
          c.added.map((d) => d.account),
          c.added.map((d) => d.deviceId),
        ]);
        const existing = new Set(found.map((r) => key(toDevice(r))));
        const unknown = c.added.find((a) => !existing.has(key(a)));
        if (unknown !== undefined) return { ok: false, reason: 'unknown-device', device: unknown };
      }
      const removed = c.removed.filter((d) => onRoster.has(key(d)));
      const size = before.length - removed.length + c.added.length;
      if (size > maxDevices) return { ok: false, reason: 'too-large' };
      const next = c.epoch + 1;
      const welcome = c.welcome === undefined ? null : bytesParam(c.welcome);
      await db.query(SQL.insertCommit, [gid, c.epoch, bytesParam(c.commit), welcome, c.receivedAt]);
      for (const d of removed) await db.query(SQL.deleteMember, [gid, d.account, d.deviceId]);
      if (c.added.length > 0) {
        const accounts = c.added.map((d) => d.account);
        await db.query(SQL.insertMembers, [gid, accounts, c.added.map((d) => d.deviceId), next]);
      }
      await db.query(SQL.setEpoch, [next, gid]);
      const committer = key(c.committer);
      const base = { groupId: c.groupId, sender: c.committer, receivedAt: c.receivedAt };
      const payloads: Payload[] = [
        {
          ...base,
          kind: 'commit',
          epoch: c.epoch,
          body: c.commit,
          id: c.commitEnvelopeId,
          recipients: before.filter((d) => key(d) !== committer),
        },
      ];
      if (c.welcome !== undefined) {
        payloads.push({
          ...base,
          kind: 'welcome',
          epoch: next,
          body: c.welcome,
          id: c.welcomeEnvelopeId,
          recipients: c.added,
        });
      }
      const result = await this.fanout(db, payloads, maxPerMailbox);
      if (size === 0) await db.query(SQL.deleteGroup, [gid]);
      return { ok: true, epoch: next, ...result };
    });
  }

  async send(m: NewGroupMessage, maxPerMailbox: number): Promise<GroupFanout | GroupRefusal> {
    return inTransaction(this.pool, async (db): Promise<GroupFanout | GroupRefusal> => {
      const g = await this.admit(db, SQL.shareGroup, m.groupId, m.sender, m.epoch);
      if ('ok' in g) return g;
      const sender = key(m.sender);
      const recipients = (await queryRows(db, SQL.roster, [bytesParam(m.groupId)]))
        .map(toDevice)
        .filter((d) => key(d) !== sender);
      const payload: Payload = { ...m, kind: 'message', id: m.envelopeId, recipients };
      return { ok: true, epoch: g.epoch, ...(await this.fanout(db, [payload], maxPerMailbox)) };
    });
  }

  /**
   * Stores each payload once with one envelope per recipient whose mailbox has room, after taking every
   * recipient's mailbox lock (sorted, in one statement).
   */
  private async fanout(
    db: pg.PoolClient,
    payloads: readonly Payload[],
    maxPerMailbox: number,
  ): Promise<{ envelopes: StoredEnvelope[]; skipped: DeviceAddress[] }> {
    const all = new Map<string, DeviceAddress>();
    for (const p of payloads) for (const d of p.recipients) all.set(mailboxLock(d), d);
    const envelopes: StoredEnvelope[] = [];
    const skipped: DeviceAddress[] = [];
    if (all.size === 0) return { envelopes, skipped };
    const names = [...all.keys()].sort();
    await db.query(SQL.lockNames, [names]);
    const devices = names.map((n) => all.get(n) as DeviceAddress);
    const sizes = await queryRows(db, SQL.mailboxSizes, [
      devices.map((d) => d.account),
      devices.map((d) => d.deviceId),
    ]);
    const size = new Map(devices.map((d, i) => [key(d), int(sizes[i]?.n)]));
    for (const p of payloads) {
      const room: DeviceAddress[] = [];
      for (const d of p.recipients) {
        const n = size.get(key(d)) ?? 0;
        if (n >= maxPerMailbox) skipped.push(d);
        else {
          room.push(d);
          size.set(key(d), n + 1);
        }
      }
      if (room.length === 0) continue;
      const gid = bytesParam(p.groupId);
      const body = bytesParam(p.body);
      const bodyId = (await queryOne(db, SQL.insertBody, [gid, p.kind, p.epoch, body, p.receivedAt]))?.id;
      const refs = await queryRows(db, SQL.insertRefs, [
        room.map((d) => d.account),
        room.map((d) => d.deviceId),
        bytesParam(p.id),
        p.sender.account,
        p.sender.deviceId,
        p.receivedAt,
        bodyId,
      ]);
      const group = { id: p.groupId, kind: p.kind, epoch: p.epoch };
      for (const r of refs) {
        envelopes.push({
          seq: int(r.seq),
          id: p.id,
          sender: p.sender,
          recipient: { account: text(r.recipient_account), deviceId: int(r.recipient_device) },
          body: p.body,
          receivedAt: p.receivedAt,
          group,
        });
      }
    }
    envelopes.sort((a, b) => a.seq - b.seq);
    return { envelopes, skipped };
  }

  async commits(
    id: Uint8Array,
    since: number,
    limit: number,
    maxBytes: number,
    welcomeAt: number | undefined,
  ): Promise<{ commits: LoggedCommitRecord[]; more: boolean }> {
    const rows = await queryRows(this.pool, SQL.commits, [welcomeAt ?? -1, bytesParam(id), since, limit + 1]);
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
    const gid = bytesParam(id);
    return inTransaction(this.pool, async (c) => {
      // The group's row first, as commits and messages take it: a leave never interleaves with them.
      if ((await queryOne(c, SQL.lockGroup, [gid])) === undefined) return false;
      const gone = await c.query(SQL.deleteMember, [gid, device.account, device.deviceId]);
      if ((gone.rowCount ?? 0) === 0) return false;
      if (int((await queryOne(c, SQL.rosterSize, [gid]))?.n) === 0) await c.query(SQL.deleteGroup, [gid]);
      return true;
    });
  }

  async groupsOf(device: DeviceAddress): Promise<Uint8Array[]> {
    const rows = await queryRows(this.pool, SQL.groupsOf, [device.account, device.deviceId]);
    return rows.map((r) => bytes(r.group_id));
  }

  async expire(before: number): Promise<GroupExpiry> {
    return inTransaction(this.pool, async (c) => ({
      commits: (await c.query(SQL.expireCommits, [before])).rowCount ?? 0,
      groups: (await c.query(SQL.deleteEmptyGroups)).rowCount ?? 0,
    }));
  }

  async collect(): Promise<number> {
    let n = 0;
    for (;;) {
      const bound = await queryOne(this.pool, SQL.releasedBound, [COLLECT_BATCH - 1]);
      const upTo = bound === undefined ? (await queryOne(this.pool, SQL.releasedMax))?.n : bound.seq;
      if (upTo === null || upTo === undefined) return n;
      n += await inTransaction(this.pool, async (c) => {
        const deleted = (await c.query(SQL.collect, [upTo])).rowCount ?? 0;
        await c.query(SQL.clearReleased, [upTo]);
        return deleted;
      });
      if (bound === undefined) return n;
    }
  }

  async bodyUsage(): Promise<{ bodies: number; bytes: number }> {
    const r = await queryOne(this.pool, SQL.bodyUsage);
    return { bodies: int(r?.n), bytes: int(r?.bytes) };
  }

  async count(): Promise<number> {
    return int((await queryOne(this.pool, SQL.countGroups))?.n);
  }
}
