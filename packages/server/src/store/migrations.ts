/**
 * Schema migrations for every database, from one source. Each migration is one SQL text written once over
 * a tiny {@link Dialect} vocabulary (column types and table options); each adapter renders it for its
 * engine. Never edit a released migration: append one. SQLite applies them here (`PRAGMA user_version`
 * records the last one); the PostgreSQL adapter applies the same list in `postgres-migrate.ts`.
 */
import type Database from 'better-sqlite3';

/** The few words in which SQLite and PostgreSQL DDL differ. */
export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** Opaque bytes. */
  readonly bytes: string;
  /** A 64-bit integer (times in ms, u32 ids: PostgreSQL's 32-bit INTEGER is too small for u32). */
  readonly int: string;
  /** An auto-incrementing 64-bit primary key that orders rows (a mailbox's `seq`). */
  readonly serialKey: string;
  /** Table options for a table with a rowid/serial key. */
  readonly table: string;
  /** Table options for a table keyed only by its primary key. */
  readonly keyedTable: string;
}

/** SQLite: STRICT tables, WITHOUT ROWID where the primary key is the row. */
export const SQLITE: Dialect = {
  name: 'sqlite',
  bytes: 'BLOB',
  int: 'INTEGER',
  serialKey: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  table: ' STRICT',
  keyedTable: ' STRICT, WITHOUT ROWID',
};

/** PostgreSQL 12+. */
export const POSTGRES: Dialect = {
  name: 'postgres',
  bytes: 'BYTEA',
  int: 'BIGINT',
  serialKey: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
  table: '',
  keyedTable: '',
};

/** One migration: its DDL in a dialect. */
export type Migration = (d: Dialect) => string;

/** The migrations; index + 1 is the schema version each produces. */
export const MIGRATIONS: readonly Migration[] = [
  (d) => `
  CREATE TABLE accounts (
    name TEXT PRIMARY KEY,
    opaque_record TEXT NOT NULL,
    identity_key ${d.bytes} NOT NULL,
    device_list ${d.bytes} NOT NULL,
    device_list_version ${d.int} NOT NULL,
    backup ${d.bytes} NOT NULL,
    created_at ${d.int} NOT NULL,
    last_seen ${d.int}
  )${d.table};

  CREATE TABLE devices (
    account TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
    device_id ${d.int} NOT NULL,
    signing_key ${d.bytes} NOT NULL,
    certificate ${d.bytes},
    PRIMARY KEY (account, device_id)
  )${d.keyedTable};

  CREATE TABLE signed_prekeys (
    account TEXT NOT NULL,
    device_id ${d.int} NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('x25519', 'mlkem-last-resort')),
    key_id ${d.int} NOT NULL,
    encoded ${d.bytes} NOT NULL,
    PRIMARY KEY (account, device_id, kind),
    FOREIGN KEY (account, device_id) REFERENCES devices(account, device_id) ON DELETE CASCADE
  )${d.keyedTable};

  CREATE TABLE one_time_prekeys (
    account TEXT NOT NULL,
    device_id ${d.int} NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('x25519', 'mlkem')),
    key_id ${d.int} NOT NULL,
    encoded ${d.bytes} NOT NULL,
    PRIMARY KEY (account, device_id, kind, key_id),
    FOREIGN KEY (account, device_id) REFERENCES devices(account, device_id) ON DELETE CASCADE
  )${d.keyedTable};

  CREATE TABLE envelopes (
    seq ${d.serialKey},
    recipient_account TEXT NOT NULL,
    recipient_device ${d.int} NOT NULL,
    id ${d.bytes} NOT NULL,
    sender_account TEXT NOT NULL,
    sender_device ${d.int} NOT NULL,
    body ${d.bytes} NOT NULL,
    received_at ${d.int} NOT NULL,
    UNIQUE (recipient_account, recipient_device, id)
  )${d.table};
  CREATE INDEX envelopes_by_mailbox ON envelopes (recipient_account, recipient_device, seq);
  CREATE INDEX envelopes_by_age ON envelopes (received_at);

  CREATE TABLE contacts (
    owner TEXT NOT NULL,
    peer TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('outgoing', 'incoming', 'accepted')),
    PRIMARY KEY (owner, peer)
  )${d.keyedTable};

  CREATE TABLE blocks (
    blocker TEXT NOT NULL,
    blocked TEXT NOT NULL,
    PRIMARY KEY (blocker, blocked)
  )${d.keyedTable};
  `,
  // 2: envelopes keep only the index that orders a mailbox. An ack names the envelope's seq (known to the
  // node that delivered it), expiry walks seq order, and retried sends are no longer matched by id: the
  // index on (recipient, id) and the one on age cost two b-tree writes per insert and per delete
  // (docs/decisions/0006-envelope-indexes.md).
  (d) =>
    d.name === 'sqlite'
      ? `
  CREATE TABLE envelopes_v2 (
    seq ${d.serialKey},
    recipient_account TEXT NOT NULL,
    recipient_device ${d.int} NOT NULL,
    id ${d.bytes} NOT NULL,
    sender_account TEXT NOT NULL,
    sender_device ${d.int} NOT NULL,
    body ${d.bytes} NOT NULL,
    received_at ${d.int} NOT NULL
  )${d.table};
  INSERT INTO envelopes_v2 (seq, recipient_account, recipient_device, id, sender_account, sender_device, body, received_at)
    SELECT seq, recipient_account, recipient_device, id, sender_account, sender_device, body, received_at FROM envelopes;
  DELETE FROM sqlite_sequence WHERE name = 'envelopes_v2';
  INSERT INTO sqlite_sequence (name, seq) SELECT 'envelopes_v2', seq FROM sqlite_sequence WHERE name = 'envelopes';
  DROP TABLE envelopes;
  ALTER TABLE envelopes_v2 RENAME TO envelopes;
  CREATE INDEX envelopes_by_mailbox ON envelopes (recipient_account, recipient_device, seq);
  `
      : `
  ALTER TABLE envelopes DROP CONSTRAINT envelopes_recipient_account_recipient_device_id_key;
  DROP INDEX envelopes_by_age;
  `,
  // 3: settings of the whole deployment, such as the fingerprint of the OPAQUE server setup, so a node
  // with another setup (or none) refuses to start instead of failing every login.
  (d) => `
  CREATE TABLE server_info (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  )${d.keyedTable};
  `,
  // 4: the presence state and status text an account chose, kept across reconnects and restarts.
  () => `
  ALTER TABLE accounts ADD COLUMN presence_state TEXT;
  ALTER TABLE accounts ADD COLUMN presence_text TEXT;
  `,
  // 5: encrypted files (docs/decisions/0012): one record per authorized upload, so quota, upload tokens,
  // expiry and downloads agree across nodes; the bytes live in the blob store under the same id.
  (d) => `
  CREATE TABLE files (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
    token_hash ${d.bytes} NOT NULL UNIQUE,
    max_size ${d.int} NOT NULL,
    size ${d.int},
    state TEXT NOT NULL CHECK (state IN ('authorized', 'uploading', 'complete')),
    created_at ${d.int} NOT NULL,
    token_expires_at ${d.int} NOT NULL,
    completed_at ${d.int},
    expires_at ${d.int} NOT NULL
  )${d.keyedTable};
  CREATE INDEX files_by_account ON files (account);
  CREATE INDEX files_by_expiry ON files (expires_at);
  `,
  // 6: groups on MLS (docs/decisions/0018): KeyPackages per device, groups, routing rosters, the commit
  // log, and group bodies stored once that group envelopes point at (\`group_body\`). Deleting such an
  // envelope (ack, expiry, a removed device's mailbox) notes its body in \`group_bodies_released\`, where
  // the collector looks for bodies no envelope points at any more.
  (d) => `
  CREATE TABLE mls_key_packages (
    seq ${d.serialKey},
    account TEXT NOT NULL,
    device_id ${d.int} NOT NULL,
    encoded ${d.bytes} NOT NULL,
    FOREIGN KEY (account, device_id) REFERENCES devices(account, device_id) ON DELETE CASCADE
  )${d.table};
  CREATE INDEX mls_key_packages_by_device ON mls_key_packages (account, device_id, seq);

  CREATE TABLE mls_last_resort (
    account TEXT NOT NULL,
    device_id ${d.int} NOT NULL,
    encoded ${d.bytes} NOT NULL,
    PRIMARY KEY (account, device_id),
    FOREIGN KEY (account, device_id) REFERENCES devices(account, device_id) ON DELETE CASCADE
  )${d.keyedTable};

  CREATE TABLE mls_groups (
    id ${d.bytes} PRIMARY KEY,
    suite ${d.int} NOT NULL,
    epoch ${d.int} NOT NULL,
    created_at ${d.int} NOT NULL
  )${d.keyedTable};

  CREATE TABLE group_members (
    group_id ${d.bytes} NOT NULL REFERENCES mls_groups(id) ON DELETE CASCADE,
    account TEXT NOT NULL,
    device_id ${d.int} NOT NULL,
    joined_epoch ${d.int} NOT NULL,
    PRIMARY KEY (group_id, account, device_id),
    FOREIGN KEY (account, device_id) REFERENCES devices(account, device_id) ON DELETE CASCADE
  )${d.keyedTable};
  CREATE INDEX group_members_by_device ON group_members (account, device_id);

  CREATE TABLE group_commits (
    group_id ${d.bytes} NOT NULL REFERENCES mls_groups(id) ON DELETE CASCADE,
    epoch ${d.int} NOT NULL,
    commit_message ${d.bytes} NOT NULL,
    welcome ${d.bytes},
    created_at ${d.int} NOT NULL,
    PRIMARY KEY (group_id, epoch)
  )${d.keyedTable};
  CREATE INDEX group_commits_by_age ON group_commits (created_at);

  CREATE TABLE group_bodies (
    id ${d.serialKey},
    group_id ${d.bytes} NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('commit', 'welcome', 'message')),
    epoch ${d.int} NOT NULL,
    body ${d.bytes} NOT NULL,
    created_at ${d.int} NOT NULL
  )${d.table};

  CREATE TABLE group_bodies_released (
    seq ${d.serialKey},
    body ${d.int} NOT NULL
  )${d.table};

  ALTER TABLE envelopes ADD COLUMN group_body ${d.int};
  CREATE INDEX envelopes_by_group_body ON envelopes (group_body) WHERE group_body IS NOT NULL;
  ${
    d.name === 'sqlite'
      ? `CREATE TRIGGER envelopes_group_body_released AFTER DELETE ON envelopes
    FOR EACH ROW WHEN OLD.group_body IS NOT NULL
    BEGIN INSERT INTO group_bodies_released (body) VALUES (OLD.group_body); END;`
      : `CREATE FUNCTION sotto_group_body_released() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO group_bodies_released (body) VALUES (OLD.group_body); RETURN NULL; END $$;
  CREATE TRIGGER envelopes_group_body_released AFTER DELETE ON envelopes
    FOR EACH ROW WHEN (OLD.group_body IS NOT NULL) EXECUTE FUNCTION sotto_group_body_released();`
  }
  `,
  // 7: the operator's records
  // (store/admin-records.ts). Disabled accounts; invites for `--registration token`, kept as the SHA-256
  // of the token; what the operator did to accounts, which every node watches to close their connections;
  // messages per UTC day; each node's count of connected devices.
  (d) => `
  ALTER TABLE accounts ADD COLUMN disabled_at ${d.int};

  CREATE TABLE invites (
    id TEXT PRIMARY KEY,
    token_hash ${d.bytes} NOT NULL UNIQUE,
    max_uses ${d.int} NOT NULL,
    uses ${d.int} NOT NULL DEFAULT 0,
    created_at ${d.int} NOT NULL,
    expires_at ${d.int} NOT NULL,
    revoked_at ${d.int},
    note TEXT
  )${d.keyedTable};

  CREATE TABLE account_events (
    seq ${d.serialKey},
    account TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('disabled', 'enabled', 'deleted')),
    at ${d.int} NOT NULL
  )${d.table};

  CREATE TABLE daily_counts (
    day TEXT PRIMARY KEY,
    sends ${d.int} NOT NULL DEFAULT 0,
    envelopes ${d.int} NOT NULL DEFAULT 0
  )${d.keyedTable};

  CREATE TABLE nodes (
    node TEXT PRIMARY KEY,
    devices ${d.int} NOT NULL,
    started_at ${d.int} NOT NULL,
    updated_at ${d.int} NOT NULL,
    version TEXT NOT NULL
  )${d.keyedTable};
  `,
  // 8 (docs/decisions/0023): one notification
  // email address per account, the hash of its verification code, and when a content-free notification is
  // due. The address is personal data and lives only here.
  (d) => `
  CREATE TABLE notify_emails (
    account TEXT PRIMARY KEY REFERENCES accounts(name) ON DELETE CASCADE,
    address TEXT NOT NULL,
    verified ${d.int} NOT NULL,
    code_hash ${d.bytes},
    code_expires_at ${d.int},
    code_attempts ${d.int} NOT NULL,
    waiting_since ${d.int},
    due_at ${d.int},
    notified_at ${d.int}
  )${d.keyedTable};
  CREATE INDEX notify_emails_by_due ON notify_emails (due_at) WHERE due_at IS NOT NULL;
  `,
  // 9 (docs/decisions/0018, addendum): KeyPackages per MLS ciphersuite. A device keeps one one-time pool
  // and one last-resort KeyPackage per suite; every KeyPackage stored before is X-Wing's (83). The
  // last-resort table is rebuilt because its primary key gains the suite.
  (d) => `
  ALTER TABLE mls_key_packages ADD COLUMN suite ${d.int} NOT NULL DEFAULT 83;
  DROP INDEX mls_key_packages_by_device;
  CREATE INDEX mls_key_packages_by_device ON mls_key_packages (account, device_id, suite, seq);

  CREATE TABLE mls_last_resort_by_suite (
    account TEXT NOT NULL,
    device_id ${d.int} NOT NULL,
    suite ${d.int} NOT NULL,
    encoded ${d.bytes} NOT NULL,
    PRIMARY KEY (account, device_id, suite),
    FOREIGN KEY (account, device_id) REFERENCES devices(account, device_id) ON DELETE CASCADE
  )${d.keyedTable};
  INSERT INTO mls_last_resort_by_suite (account, device_id, suite, encoded)
    SELECT account, device_id, 83, encoded FROM mls_last_resort;
  DROP TABLE mls_last_resort;
  ALTER TABLE mls_last_resort_by_suite RENAME TO mls_last_resort;
  `,
];

/**
 * Applies every migration newer than the SQLite database's `user_version`, each in its own transaction;
 * returns the resulting version. Throws when the database is newer than this server.
 */
export function migrate(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true });
  let version = typeof current === 'number' ? current : 0;
  if (version > MIGRATIONS.length) {
    throw new Error(`database schema ${version} is newer than this server (${MIGRATIONS.length})`);
  }
  for (; version < MIGRATIONS.length; version++) {
    const sql = MIGRATIONS[version]?.(SQLITE) ?? '';
    const next = version + 1;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${next}`);
    })();
  }
  return version;
}
