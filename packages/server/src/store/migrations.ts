/**
 * SQLite schema migrations, applied in order on start. Each runs once, in its own transaction, and
 * `PRAGMA user_version` records the last one applied. Never edit a released migration: append one.
 */
import type Database from 'better-sqlite3';

/** The migrations; index + 1 is the schema version each produces. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE accounts (
    name TEXT PRIMARY KEY,
    opaque_record TEXT NOT NULL,
    identity_key BLOB NOT NULL,
    device_list BLOB NOT NULL,
    device_list_version INTEGER NOT NULL,
    backup BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen INTEGER
  ) STRICT;

  CREATE TABLE devices (
    account TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
    device_id INTEGER NOT NULL,
    signing_key BLOB NOT NULL,
    certificate BLOB,
    PRIMARY KEY (account, device_id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE signed_prekeys (
    account TEXT NOT NULL,
    device_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('x25519', 'mlkem-last-resort')),
    key_id INTEGER NOT NULL,
    encoded BLOB NOT NULL,
    PRIMARY KEY (account, device_id, kind),
    FOREIGN KEY (account, device_id) REFERENCES devices(account, device_id) ON DELETE CASCADE
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE one_time_prekeys (
    account TEXT NOT NULL,
    device_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('x25519', 'mlkem')),
    key_id INTEGER NOT NULL,
    encoded BLOB NOT NULL,
    PRIMARY KEY (account, device_id, kind, key_id),
    FOREIGN KEY (account, device_id) REFERENCES devices(account, device_id) ON DELETE CASCADE
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE envelopes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient_account TEXT NOT NULL,
    recipient_device INTEGER NOT NULL,
    id BLOB NOT NULL,
    sender_account TEXT NOT NULL,
    sender_device INTEGER NOT NULL,
    body BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    UNIQUE (recipient_account, recipient_device, id)
  ) STRICT;
  CREATE INDEX envelopes_by_mailbox ON envelopes (recipient_account, recipient_device, seq);
  CREATE INDEX envelopes_by_age ON envelopes (received_at);

  CREATE TABLE contacts (
    owner TEXT NOT NULL,
    peer TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('outgoing', 'incoming', 'accepted')),
    PRIMARY KEY (owner, peer)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE blocks (
    blocker TEXT NOT NULL,
    blocked TEXT NOT NULL,
    PRIMARY KEY (blocker, blocked)
  ) STRICT, WITHOUT ROWID;
  `,
];

/** Applies every migration newer than the database's `user_version`; returns the resulting version. */
export function migrate(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true });
  let version = typeof current === 'number' ? current : 0;
  if (version > MIGRATIONS.length) {
    throw new Error(`database schema ${version} is newer than this server (${MIGRATIONS.length})`);
  }
  for (; version < MIGRATIONS.length; version++) {
    const sql = MIGRATIONS[version] ?? '';
    const next = version + 1;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${next}`);
    })();
  }
  return version;
}
