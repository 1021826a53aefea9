/** The SQLite adapter's statements, prepared once per connection. */
import type Database from 'better-sqlite3';

/** Every statement {@link SqliteStore} runs, by name. */
export const SQL = {
  insertAccount: `INSERT INTO accounts (name, opaque_record, identity_key, device_list, device_list_version, backup, created_at)
     VALUES (@name, @opaqueRecord, @identityKey, @deviceList, @deviceListVersion, @backup, @createdAt)
     ON CONFLICT (name) DO NOTHING`,
  getAccount: 'SELECT * FROM accounts WHERE name = ?',
  accountExists: 'SELECT 1 FROM accounts WHERE name = ?',
  listDeviceIds: 'SELECT device_id FROM devices WHERE account = ? ORDER BY device_id',
  casDeviceList: `UPDATE accounts SET device_list = ?, device_list_version = ? WHERE name = ? AND device_list_version = ?`,
  setBackup: 'UPDATE accounts SET backup = ? WHERE name = ?',
  setLastSeen: 'UPDATE accounts SET last_seen = ? WHERE name = ?',
  setPresence: 'UPDATE accounts SET presence_state = ?, presence_text = ? WHERE name = ?',
  getPresence: 'SELECT presence_state, presence_text, last_seen FROM accounts WHERE name = ?',
  // A device whose signing key changed is a new device: its old certificate and prekeys go.
  upsertDevice: `INSERT INTO devices (account, device_id, signing_key, certificate) VALUES (?, ?, ?, ?)
     ON CONFLICT (account, device_id) DO UPDATE SET signing_key = excluded.signing_key,
       certificate = COALESCE(excluded.certificate,
         CASE WHEN devices.signing_key = excluded.signing_key THEN devices.certificate END)`,
  setCertificate: 'UPDATE devices SET certificate = ? WHERE account = ? AND device_id = ?',
  listDevices: 'SELECT * FROM devices WHERE account = ? ORDER BY device_id',
  getDevice: 'SELECT * FROM devices WHERE account = ? AND device_id = ?',
  deleteDevice: 'DELETE FROM devices WHERE account = ? AND device_id = ?',
  deleteMailbox: 'DELETE FROM envelopes WHERE recipient_account = ? AND recipient_device = ?',
  putSigned: `INSERT INTO signed_prekeys (account, device_id, kind, key_id, encoded) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (account, device_id, kind) DO UPDATE SET key_id = excluded.key_id, encoded = excluded.encoded`,
  getSigned: 'SELECT key_id, encoded FROM signed_prekeys WHERE account = ? AND device_id = ? AND kind = ?',
  putOneTime: `INSERT INTO one_time_prekeys (account, device_id, kind, key_id, encoded) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (account, device_id, kind, key_id) DO UPDATE SET encoded = excluded.encoded`,
  countOneTime:
    'SELECT kind, COUNT(*) AS n FROM one_time_prekeys WHERE account = ? AND device_id = ? GROUP BY kind',
  takeOneTime: `DELETE FROM one_time_prekeys WHERE account = @account AND device_id = @deviceId AND kind = @kind
       AND key_id = (SELECT MIN(key_id) FROM one_time_prekeys
                     WHERE account = @account AND device_id = @deviceId AND kind = @kind)
     RETURNING key_id, encoded`,
  mailboxCount: 'SELECT COUNT(*) AS n FROM envelopes WHERE recipient_account = ? AND recipient_device = ?',
  insertEnvelope: `INSERT INTO envelopes (recipient_account, recipient_device, id, sender_account, sender_device, body, received_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  // A group envelope's body is the group body it points at (stored once for every recipient).
  fetchMailbox: `SELECT e.seq, e.id, e.sender_account, e.sender_device, COALESCE(g.body, e.body) AS body,
       e.received_at, g.group_id, g.kind AS group_kind, g.epoch AS group_epoch
       FROM envelopes e LEFT JOIN group_bodies g ON g.id = e.group_body
       WHERE e.recipient_account = ? AND e.recipient_device = ? AND e.seq > ?
       AND e.received_at >= ? ORDER BY e.seq LIMIT ?`,
  ackEnvelope:
    'DELETE FROM envelopes WHERE seq = ? AND recipient_account = ? AND recipient_device = ? AND id = ?',
  // Walks the table in seq order only as far as the first envelope not yet expired (no index on age).
  expire: `DELETE FROM envelopes WHERE seq < COALESCE(
       (SELECT seq FROM envelopes WHERE received_at >= ? ORDER BY seq LIMIT 1), 9223372036854775807)`,
  depth: 'SELECT COUNT(*) AS n FROM envelopes',
  getContact: 'SELECT state FROM contacts WHERE owner = ? AND peer = ?',
  setContact: `INSERT INTO contacts (owner, peer, state) VALUES (?, ?, ?)
     ON CONFLICT (owner, peer) DO UPDATE SET state = excluded.state`,
  deleteContact: 'DELETE FROM contacts WHERE owner = ? AND peer = ?',
  listContacts: 'SELECT peer, state FROM contacts WHERE owner = ? ORDER BY peer',
  block: 'INSERT INTO blocks (blocker, blocked) VALUES (?, ?) ON CONFLICT DO NOTHING',
  unblock: 'DELETE FROM blocks WHERE blocker = ? AND blocked = ?',
  isBlocked: 'SELECT 1 FROM blocks WHERE blocker = ? AND blocked = ?',
  listBlocked: 'SELECT blocked FROM blocks WHERE blocker = ? ORDER BY blocked',
  hasAccounts: 'SELECT 1 FROM accounts LIMIT 1',
  getSetting: 'SELECT value FROM server_info WHERE name = ?',
  recordSetting: 'INSERT INTO server_info (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
  ping: 'SELECT 1',
  // Changes when another connection commits to the file (not for this connection's own commits).
  dataVersion: 'PRAGMA data_version',
} as const;

/** The prepared statements, by name. */
export type Statements = { readonly [K in keyof typeof SQL]: Database.Statement };

/** Prepares every statement in {@link SQL}. */
export function prepareStatements(db: Database.Database): Statements {
  const out: Record<string, Database.Statement> = {};
  for (const [name, sql] of Object.entries(SQL)) out[name] = db.prepare(sql);
  return out as Statements;
}
