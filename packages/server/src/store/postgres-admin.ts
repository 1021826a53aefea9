/**
 * {@link AdminRecords} on PostgreSQL: the statements of `admin-sql.ts` with numbered placeholders. Every
 * node and `sotto-server admin` share them; a change of several rows is one transaction, and taking an
 * invite's use is one `UPDATE … RETURNING`, so two registrations never share its last use.
 */
import type pg from 'pg';
import type {
  AccountEvent,
  AccountSummary,
  AdminRecords,
  DailyCount,
  DeletedAccount,
  DeviceSummary,
  InviteRecord,
  NewInvite,
  NodeStatus,
  StoreStats,
} from './admin-records.js';
import {
  ADMIN_SQL,
  type AdminStatement,
  numbered,
  toAccountEvent,
  toAccountSummary,
  toDeviceSummary,
  toInvite,
  toNodeStatus,
} from './admin-sql.js';
import type { FileRecords } from './file-records.js';
import { inTransaction, type Queryable, queryChanges, queryRows } from './postgres-query.js';
import { int, type Row, text } from './sqlite-rows.js';

const SQL = Object.fromEntries(
  Object.entries(ADMIN_SQL).map(([name, sql]) => [name, numbered(sql)]),
) as Record<AdminStatement, string>;

/** The bytes of the tables in the schema on the search path (where the store keeps its tables). */
const SCHEMA_BYTES = `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS bytes
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = current_schema() AND c.relkind = 'r'`;

const bytesParam = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** Something that runs a query: the pool, or a client inside a transaction. */

/** {@link AdminRecords} over a node-postgres pool (owned by the `PostgresStore`). */
export class PostgresAdminRecords implements AdminRecords {
  constructor(
    private readonly pool: pg.Pool,
    private readonly files: FileRecords,
    /** Called after a change the store's read cache may hold (committed or not). */
    private readonly changed: () => void = () => {},
  ) {}

  private async rows(name: AdminStatement, params: unknown[] = [], q: Queryable = this.pool) {
    return queryRows(q, SQL[name], params);
  }

  private async changes(name: AdminStatement, params: unknown[], q: Queryable = this.pool) {
    return queryChanges(q, SQL[name], params);
  }

  async listAccounts(): Promise<AccountSummary[]> {
    return (await this.rows('listAccounts')).map(toAccountSummary);
  }

  async listDevices(account: string): Promise<DeviceSummary[] | undefined> {
    if ((await this.rows('accountState', [account])).length === 0) return undefined;
    return (await this.rows('listDevices', [account, account])).map(toDeviceSummary);
  }

  async isDisabled(account: string): Promise<boolean> {
    const r = (await this.rows('accountState', [account]))[0];
    return r !== undefined && r.disabled_at !== null;
  }

  async setDisabled(account: string, disabled: boolean, at: number): Promise<boolean> {
    try {
      return await this.setDisabledTx(account, disabled, at);
    } finally {
      this.changed();
    }
  }

  private setDisabledTx(account: string, disabled: boolean, at: number): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      const n = disabled
        ? await this.changes('disable', [at, account], c)
        : await this.changes('enable', [account], c);
      if (n === 0) return (await this.rows('accountState', [account], c)).length > 0;
      await c.query(SQL.addEvent, [account, disabled ? 'disabled' : 'enabled', at]);
      return true;
    });
  }

  async deleteAccount(account: string, at: number): Promise<DeletedAccount | undefined> {
    try {
      return await this.deleteAccountTx(account, at);
    } finally {
      this.changed();
    }
  }

  private deleteAccountTx(account: string, at: number): Promise<DeletedAccount | undefined> {
    return inTransaction(this.pool, async (c) => {
      // Locks the account's row first, so a concurrent device-list change waits for the delete.
      const found = await c.query('SELECT name FROM accounts WHERE name = $1 FOR UPDATE', [account]);
      if (found.rowCount === 0) return undefined;
      const devices = int((await this.rows('countDevices', [account], c))[0]?.n ?? 0);
      const files = (await this.rows('fileIds', [account], c)).map((r) => text(r.id));
      const envelopes = await this.changes('deleteEnvelopes', [account], c);
      await c.query(SQL.deleteContacts, [account, account]);
      await c.query(SQL.deleteBlocks, [account, account]);
      await c.query(SQL.deleteFiles, [account]);
      // Devices and their prekeys go with the account (ON DELETE CASCADE).
      await c.query(SQL.deleteAccount, [account]);
      await c.query(SQL.addEvent, [account, 'deleted', at]);
      return { devices, envelopes, files };
    });
  }

  async accountEvents(afterSeq: number, limit: number): Promise<AccountEvent[]> {
    return (await this.rows('events', [afterSeq, limit])).map(toAccountEvent);
  }

  async lastAccountEvent(): Promise<number> {
    return int((await this.rows('lastEvent'))[0]?.seq ?? 0);
  }

  async createInvite(i: NewInvite): Promise<void> {
    await this.pool.query(SQL.createInvite, [
      i.id,
      bytesParam(i.tokenHash),
      i.maxUses,
      i.createdAt,
      i.expiresAt,
      i.note ?? null,
    ]);
  }

  async listInvites(): Promise<InviteRecord[]> {
    return (await this.rows('listInvites')).map(toInvite);
  }

  async revokeInvite(id: string, at: number): Promise<boolean> {
    return (await this.changes('revokeInvite', [at, id])) === 1;
  }

  async inviteUsable(tokenHash: Uint8Array, now: number): Promise<boolean> {
    return (await this.rows('inviteUsable', [bytesParam(tokenHash), now])).length > 0;
  }

  async useInvite(tokenHash: Uint8Array, now: number): Promise<string | undefined> {
    const r = (await this.rows('useInvite', [bytesParam(tokenHash), now]))[0];
    return r === undefined ? undefined : text(r.id);
  }

  async releaseInvite(id: string): Promise<void> {
    await this.pool.query(SQL.releaseInvite, [id]);
  }

  async addDailyCounts(day: string, sends: number, envelopes: number): Promise<void> {
    await this.pool.query(SQL.addDaily, [day, sends, envelopes]);
  }

  async dailyCounts(fromDay: string): Promise<DailyCount[]> {
    return (await this.rows('daily', [fromDay])).map((r) => ({
      day: text(r.day),
      sends: int(r.sends),
      envelopes: int(r.envelopes),
    }));
  }

  async reportNode(s: NodeStatus, forgetBefore: number): Promise<void> {
    await this.pool.query(SQL.reportNode, [s.node, s.devices, s.startedAt, s.updatedAt, s.version]);
    await this.pool.query(SQL.forgetNodes, [forgetBefore]);
  }

  async removeNode(node: string): Promise<void> {
    await this.pool.query(SQL.removeNode, [node]);
  }

  async nodes(since: number): Promise<NodeStatus[]> {
    return (await this.rows('nodes', [since])).map(toNodeStatus);
  }

  async stats(): Promise<StoreStats> {
    const [accounts, devices, envelopes, size, files] = await Promise.all([
      this.rows('statsAccounts'),
      this.rows('statsDevices'),
      this.rows('statsEnvelopes'),
      this.pool.query(SCHEMA_BYTES),
      this.files.usage(),
    ]);
    return {
      accounts: int(accounts[0]?.n ?? 0),
      disabledAccounts: int(accounts[0]?.disabled ?? 0),
      devices: int(devices[0]?.n ?? 0),
      envelopes: int(envelopes[0]?.n ?? 0),
      envelopeBytes: int(envelopes[0]?.bytes ?? 0),
      files,
      databaseBytes: int((size.rows as Row[])[0]?.bytes ?? 0),
    };
  }
}
