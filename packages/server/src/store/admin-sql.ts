/**
 * The statements of {@link AdminRecords}, written once for both engines: `?` placeholders (the PostgreSQL
 * adapter numbers them with {@link numbered}) and SQL both understand (`length()` of bytes, `ON CONFLICT`,
 * `RETURNING`). Each converts rows with the helpers below.
 */
import type {
  AccountEvent,
  AccountSummary,
  DeviceSummary,
  InviteRecord,
  NodeStatus,
} from './admin-records.js';
import { int, type Row, text } from './sqlite-rows.js';

/** The statements, by name (tables of migrations 1, 5 and 8). */
export const ADMIN_SQL = {
  listAccounts: `SELECT a.name, a.created_at, a.last_seen, a.disabled_at,
       (SELECT COUNT(*) FROM devices d WHERE d.account = a.name) AS devices
     FROM accounts a ORDER BY a.name`,
  accountState: 'SELECT disabled_at FROM accounts WHERE name = ?',
  listDevices: `SELECT d.device_id, CASE WHEN d.certificate IS NULL THEN 0 ELSE 1 END AS certified,
       (SELECT COUNT(*) FROM one_time_prekeys k
         WHERE k.account = d.account AND k.device_id = d.device_id AND k.kind = 'x25519') AS x25519,
       (SELECT COUNT(*) FROM one_time_prekeys k
         WHERE k.account = d.account AND k.device_id = d.device_id AND k.kind = 'mlkem') AS mlkem,
       e.waiting, e.waiting_bytes, e.oldest
     FROM devices d
     LEFT JOIN (SELECT recipient_device, COUNT(*) AS waiting, SUM(length(body)) AS waiting_bytes,
                       MIN(received_at) AS oldest
                  FROM envelopes WHERE recipient_account = ? GROUP BY recipient_device) e
       ON e.recipient_device = d.device_id
     WHERE d.account = ? ORDER BY d.device_id`,
  disable: 'UPDATE accounts SET disabled_at = ? WHERE name = ? AND disabled_at IS NULL',
  enable: 'UPDATE accounts SET disabled_at = NULL WHERE name = ? AND disabled_at IS NOT NULL',
  addEvent: 'INSERT INTO account_events (account, action, at) VALUES (?, ?, ?)',
  countDevices: 'SELECT COUNT(*) AS n FROM devices WHERE account = ?',
  fileIds: 'SELECT id FROM files WHERE account = ?',
  deleteEnvelopes: 'DELETE FROM envelopes WHERE recipient_account = ?',
  deleteContacts: 'DELETE FROM contacts WHERE owner = ? OR peer = ?',
  deleteBlocks: 'DELETE FROM blocks WHERE blocker = ? OR blocked = ?',
  deleteFiles: 'DELETE FROM files WHERE account = ?',
  deleteAccount: 'DELETE FROM accounts WHERE name = ?',
  events: 'SELECT * FROM account_events WHERE seq > ? ORDER BY seq LIMIT ?',
  lastEvent: 'SELECT COALESCE(MAX(seq), 0) AS seq FROM account_events',
  createInvite: `INSERT INTO invites (id, token_hash, max_uses, uses, created_at, expires_at, note)
     VALUES (?, ?, ?, 0, ?, ?, ?)`,
  listInvites: 'SELECT * FROM invites ORDER BY created_at DESC, id',
  revokeInvite: 'UPDATE invites SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
  inviteUsable: `SELECT id FROM invites
     WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ? AND uses < max_uses`,
  useInvite: `UPDATE invites SET uses = uses + 1
     WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ? AND uses < max_uses RETURNING id`,
  releaseInvite: 'UPDATE invites SET uses = uses - 1 WHERE id = ? AND uses > 0',
  addDaily: `INSERT INTO daily_counts (day, sends, envelopes) VALUES (?, ?, ?)
     ON CONFLICT (day) DO UPDATE SET sends = daily_counts.sends + excluded.sends,
       envelopes = daily_counts.envelopes + excluded.envelopes`,
  daily: 'SELECT * FROM daily_counts WHERE day >= ? ORDER BY day',
  reportNode: `INSERT INTO nodes (node, devices, started_at, updated_at, version) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (node) DO UPDATE SET devices = excluded.devices, updated_at = excluded.updated_at`,
  forgetNodes: 'DELETE FROM nodes WHERE updated_at < ?',
  removeNode: 'DELETE FROM nodes WHERE node = ?',
  nodes: 'SELECT * FROM nodes WHERE updated_at >= ? ORDER BY node',
  statsAccounts: 'SELECT COUNT(*) AS n, COUNT(disabled_at) AS disabled FROM accounts',
  statsDevices: 'SELECT COUNT(*) AS n FROM devices',
  statsEnvelopes: 'SELECT COUNT(*) AS n, COALESCE(SUM(length(body)), 0) AS bytes FROM envelopes',
} as const;

/** A statement's name. */
export type AdminStatement = keyof typeof ADMIN_SQL;

/** `sql` with PostgreSQL's numbered placeholders (`$1`, `$2`, …) for `?`. */
export function numbered(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

const optionalInt = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : int(v));

/** An `admin users list` row. */
export const toAccountSummary = (r: Row): AccountSummary => ({
  name: text(r.name),
  createdAt: int(r.created_at),
  lastSeen: optionalInt(r.last_seen),
  disabledAt: optionalInt(r.disabled_at),
  devices: int(r.devices),
});

/** An `admin devices list` row. */
export const toDeviceSummary = (r: Row): DeviceSummary => ({
  deviceId: int(r.device_id),
  certified: int(r.certified) === 1,
  prekeys: { x25519: int(r.x25519), mlkem: int(r.mlkem) },
  waiting: optionalInt(r.waiting) ?? 0,
  waitingBytes: optionalInt(r.waiting_bytes) ?? 0,
  oldestWaiting: optionalInt(r.oldest),
});

const ACTIONS: ReadonlySet<unknown> = new Set(['disabled', 'enabled', 'deleted']);

/** An `account_events` row. */
export const toAccountEvent = (r: Row): AccountEvent => {
  const action = text(r.action);
  if (!ACTIONS.has(action)) throw new Error(`unknown account event ${action}`);
  return {
    seq: int(r.seq),
    account: text(r.account),
    action: action as AccountEvent['action'],
    at: int(r.at),
  };
};

/** An `invites` row (the hash stays in the database). */
export const toInvite = (r: Row): InviteRecord => ({
  id: text(r.id),
  maxUses: int(r.max_uses),
  uses: int(r.uses),
  createdAt: int(r.created_at),
  expiresAt: int(r.expires_at),
  revokedAt: optionalInt(r.revoked_at),
  note: r.note === null || r.note === undefined ? undefined : text(r.note),
});

/** A `nodes` row. */
export const toNodeStatus = (r: Row): NodeStatus => ({
  node: text(r.node),
  devices: int(r.devices),
  startedAt: int(r.started_at),
  updatedAt: int(r.updated_at),
  version: text(r.version),
});
