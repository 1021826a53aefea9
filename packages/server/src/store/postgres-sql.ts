/** The PostgreSQL adapter's statements (the SQLite ones, with `$n` parameters and row locks). */

/** Every statement {@link PostgresStore} runs, by name. */
export const PG = {
  insertAccount: `INSERT INTO accounts (name, opaque_record, identity_key, device_list, device_list_version, backup, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING`,
  getAccount: 'SELECT * FROM accounts WHERE name = $1',
  accountExists: 'SELECT 1 FROM accounts WHERE name = $1',
  listDeviceIds: 'SELECT device_id FROM devices WHERE account = $1 ORDER BY device_id',
  casDeviceList:
    'UPDATE accounts SET device_list = $1, device_list_version = $2 WHERE name = $3 AND device_list_version = $4',
  setBackup: 'UPDATE accounts SET backup = $1 WHERE name = $2',
  setLastSeen: 'UPDATE accounts SET last_seen = $1 WHERE name = $2',
  setPresence: 'UPDATE accounts SET presence_state = $1, presence_text = $2 WHERE name = $3',
  getPresence: 'SELECT presence_state, presence_text, last_seen FROM accounts WHERE name = $1',
  // A device whose signing key changed is a new device: its old certificate and prekeys go.
  upsertDevice: `INSERT INTO devices (account, device_id, signing_key, certificate) VALUES ($1, $2, $3, $4)
     ON CONFLICT (account, device_id) DO UPDATE SET signing_key = excluded.signing_key,
       certificate = COALESCE(excluded.certificate,
         CASE WHEN devices.signing_key = excluded.signing_key THEN devices.certificate END)`,
  setCertificate: 'UPDATE devices SET certificate = $1 WHERE account = $2 AND device_id = $3',
  listDevices: 'SELECT * FROM devices WHERE account = $1 ORDER BY device_id',
  getDevice: 'SELECT * FROM devices WHERE account = $1 AND device_id = $2',
  /** Holds the device row until commit, so a concurrent device-list change cannot delete it meanwhile. */
  lockDevice: 'SELECT * FROM devices WHERE account = $1 AND device_id = $2 FOR SHARE',
  deleteDevice: 'DELETE FROM devices WHERE account = $1 AND device_id = $2',
  deleteMailbox: 'DELETE FROM envelopes WHERE recipient_account = $1 AND recipient_device = $2',
  putSigned: `INSERT INTO signed_prekeys (account, device_id, kind, key_id, encoded) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (account, device_id, kind) DO UPDATE SET key_id = excluded.key_id, encoded = excluded.encoded`,
  getSigned: 'SELECT key_id, encoded FROM signed_prekeys WHERE account = $1 AND device_id = $2 AND kind = $3',
  putOneTime: `INSERT INTO one_time_prekeys (account, device_id, kind, key_id, encoded) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (account, device_id, kind, key_id) DO UPDATE SET encoded = excluded.encoded`,
  countOneTime:
    'SELECT kind, COUNT(*) AS n FROM one_time_prekeys WHERE account = $1 AND device_id = $2 GROUP BY kind',
  // Row locks hand each key to one transaction; SKIP LOCKED lets a concurrent fetch take the next key
  // instead of waiting for (and then missing) the one another node is taking.
  takeOneTime: `DELETE FROM one_time_prekeys WHERE (account, device_id, kind, key_id) = (
       SELECT account, device_id, kind, key_id FROM one_time_prekeys
       WHERE account = $1 AND device_id = $2 AND kind = $3
       ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING key_id, encoded`,
  /** A transaction-scoped lock on a name (a contact pair): serializes writers of that name. */
  lockName: 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))',
  // A group envelope's body is the group body it points at (stored once for every recipient).
  fetchMailbox: `SELECT e.seq, e.id, e.sender_account, e.sender_device, e.recipient_account, e.recipient_device,
       COALESCE(g.body, e.body) AS body, e.received_at, g.group_id, g.kind AS group_kind, g.epoch AS group_epoch
       FROM envelopes e LEFT JOIN group_bodies g ON g.id = e.group_body
       WHERE e.recipient_account = $1 AND e.recipient_device = $2 AND e.seq > $3
       AND e.received_at >= $4 ORDER BY e.seq LIMIT $5`,
  // Walks the table in seq order only as far as the first envelope not yet expired (no index on age).
  expire: `DELETE FROM envelopes WHERE seq < COALESCE(
       (SELECT seq FROM envelopes WHERE received_at >= $1 ORDER BY seq LIMIT 1), 9223372036854775807)`,
  depth: 'SELECT COUNT(*) AS n FROM envelopes',
  depthEstimate: `SELECT COALESCE((SELECT n_live_tup FROM pg_stat_user_tables WHERE relid = 'envelopes'::regclass), 0) AS n`,
  getContact: 'SELECT state FROM contacts WHERE owner = $1 AND peer = $2',
  setContact: `INSERT INTO contacts (owner, peer, state) VALUES ($1, $2, $3)
     ON CONFLICT (owner, peer) DO UPDATE SET state = excluded.state`,
  deleteContact: 'DELETE FROM contacts WHERE owner = $1 AND peer = $2',
  listContacts: 'SELECT peer, state FROM contacts WHERE owner = $1 ORDER BY peer COLLATE "C"',
  block: 'INSERT INTO blocks (blocker, blocked) VALUES ($1, $2) ON CONFLICT DO NOTHING',
  unblock: 'DELETE FROM blocks WHERE blocker = $1 AND blocked = $2',
  isBlocked: 'SELECT 1 FROM blocks WHERE blocker = $1 AND blocked = $2',
  listBlocked: 'SELECT blocked FROM blocks WHERE blocker = $1 ORDER BY blocked COLLATE "C"',
  hasAccounts: 'SELECT 1 FROM accounts LIMIT 1',
  getSetting: 'SELECT value FROM server_info WHERE name = $1',
  recordSetting: 'INSERT INTO server_info (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
  ping: 'SELECT 1',
} as const;
