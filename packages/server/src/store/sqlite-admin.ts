/**
 * {@link AdminRecords} on SQLite. `sotto-server admin` opens the database file as a second connection
 * while the server runs (WAL): each change is one transaction, and the server's read cache notices it
 * through `PRAGMA data_version`. A change made through this connection calls `changed` so the store's own
 * cache forgets what it knew.
 */
import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
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
  toAccountEvent,
  toAccountSummary,
  toDeviceSummary,
  toInvite,
  toNodeStatus,
} from './admin-sql.js';
import type { FileRecords } from './file-records.js';
import { int, type Row, text } from './sqlite-rows.js';

/** The size of the file at `path`, 0 when there is none. */
function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** {@link AdminRecords} over a better-sqlite3 connection (owned by the `SqliteStore`). */
export class SqliteAdminRecords implements AdminRecords {
  private readonly q: { readonly [K in AdminStatement]: Database.Statement };

  constructor(
    private readonly db: Database.Database,
    private readonly files: FileRecords,
    private readonly changed: () => void,
  ) {
    const q: Record<string, Database.Statement> = {};
    for (const [name, sql] of Object.entries(ADMIN_SQL)) q[name] = db.prepare(sql);
    this.q = q as SqliteAdminRecords['q'];
  }

  async listAccounts(): Promise<AccountSummary[]> {
    return (this.q.listAccounts.all() as Row[]).map(toAccountSummary);
  }

  async listDevices(account: string): Promise<DeviceSummary[] | undefined> {
    if (this.q.accountState.get(account) === undefined) return undefined;
    return (this.q.listDevices.all(account, account) as Row[]).map(toDeviceSummary);
  }

  async isDisabled(account: string): Promise<boolean> {
    const r = this.q.accountState.get(account) as Row | undefined;
    return r !== undefined && r.disabled_at !== null;
  }

  async setDisabled(account: string, disabled: boolean, at: number): Promise<boolean> {
    const result = this.db.transaction(() => {
      const res = disabled ? this.q.disable.run(at, account) : this.q.enable.run(account);
      if (res.changes === 0) return this.q.accountState.get(account) !== undefined;
      this.q.addEvent.run(account, disabled ? 'disabled' : 'enabled', at);
      return true;
    })();
    this.changed();
    return result;
  }

  async deleteAccount(account: string, at: number): Promise<DeletedAccount | undefined> {
    const result = this.db
      .transaction((): DeletedAccount | undefined => {
        if (this.q.accountState.get(account) === undefined) return undefined;
        const devices = int((this.q.countDevices.get(account) as Row).n);
        const files = (this.q.fileIds.all(account) as Row[]).map((r) => text(r.id));
        const envelopes = this.q.deleteEnvelopes.run(account).changes;
        this.q.deleteContacts.run(account, account);
        this.q.deleteBlocks.run(account, account);
        this.q.deleteFiles.run(account);
        // Devices and their prekeys go with the account (ON DELETE CASCADE).
        this.q.deleteAccount.run(account);
        this.q.addEvent.run(account, 'deleted', at);
        return { devices, envelopes, files };
      })
      .immediate();
    this.changed();
    return result;
  }

  async accountEvents(afterSeq: number, limit: number): Promise<AccountEvent[]> {
    return (this.q.events.all(afterSeq, limit) as Row[]).map(toAccountEvent);
  }

  async lastAccountEvent(): Promise<number> {
    return int((this.q.lastEvent.get() as Row).seq);
  }

  async createInvite(i: NewInvite): Promise<void> {
    this.q.createInvite.run(i.id, i.tokenHash, i.maxUses, i.createdAt, i.expiresAt, i.note ?? null);
  }

  async listInvites(): Promise<InviteRecord[]> {
    return (this.q.listInvites.all() as Row[]).map(toInvite);
  }

  async revokeInvite(id: string, at: number): Promise<boolean> {
    return this.q.revokeInvite.run(at, id).changes === 1;
  }

  async inviteUsable(tokenHash: Uint8Array, now: number): Promise<boolean> {
    return this.q.inviteUsable.get(tokenHash, now) !== undefined;
  }

  async useInvite(tokenHash: Uint8Array, now: number): Promise<string | undefined> {
    const r = this.q.useInvite.get(tokenHash, now) as Row | undefined;
    return r === undefined ? undefined : text(r.id);
  }

  async releaseInvite(id: string): Promise<void> {
    this.q.releaseInvite.run(id);
  }

  async addDailyCounts(day: string, sends: number, envelopes: number): Promise<void> {
    this.q.addDaily.run(day, sends, envelopes);
  }

  async dailyCounts(fromDay: string): Promise<DailyCount[]> {
    return (this.q.daily.all(fromDay) as Row[]).map((r) => ({
      day: text(r.day),
      sends: int(r.sends),
      envelopes: int(r.envelopes),
    }));
  }

  async reportNode(s: NodeStatus, forgetBefore: number): Promise<void> {
    this.db.transaction(() => {
      this.q.reportNode.run(s.node, s.devices, s.startedAt, s.updatedAt, s.version);
      this.q.forgetNodes.run(forgetBefore);
    })();
  }

  async removeNode(node: string): Promise<void> {
    this.q.removeNode.run(node);
  }

  async nodes(since: number): Promise<NodeStatus[]> {
    return (this.q.nodes.all(since) as Row[]).map(toNodeStatus);
  }

  async stats(): Promise<StoreStats> {
    const accounts = this.q.statsAccounts.get() as Row;
    const envelopes = this.q.statsEnvelopes.get() as Row;
    const pages = int(this.db.pragma('page_count', { simple: true }));
    const pageSize = int(this.db.pragma('page_size', { simple: true }));
    return {
      accounts: int(accounts.n),
      disabledAccounts: int(accounts.disabled),
      devices: int((this.q.statsDevices.get() as Row).n),
      envelopes: int(envelopes.n),
      envelopeBytes: int(envelopes.bytes),
      files: await this.files.usage(),
      databaseBytes: pages * pageSize + (this.db.memory ? 0 : fileSize(`${this.db.name}-wal`)),
    };
  }
}
