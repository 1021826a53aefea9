/** What `sotto-server admin --help` prints. */

/** The admin help text (ends with a newline). */
export function adminUsage(): string {
  return `usage: sotto-server admin [OPTION]... COMMAND

Manages a deployment through its database: the same store the server uses, found by the same
--config file, SOTTO_* variables and flags (--data DIR for SQLite, --store postgres://… for PostgreSQL).
Safe while the server runs. Prints a table, or one JSON value with --json.

Commands:
  users list                      every account: devices, state, created, last seen
  users disable NAME              NAME can no longer log in or connect; every node closes its
                                  connections within operatorPollMs (5 s; close code 4004)
  users enable NAME               undoes disable
  users delete NAME --yes         deletes NAME with its devices, keys, waiting messages, files,
                                  contacts and blocks (its connections close with 4003); the name
                                  may be registered again
  devices list NAME               NAME's devices: certified, one-time prekeys left, waiting mail
  stats [--days N]                accounts, devices, devices online now (from every node's report),
                                  messages per day for the last N days (default 7), storage
  tokens create [--uses N] [--expires DURATION] [--note TEXT]
                                  a new invite for --registration token: N uses (default 1), valid
                                  for DURATION (7d, 12h, 30m; default 7d); prints the token once
  tokens list                     every invite: state, uses, expiry, note (never the token)
  tokens revoke ID                the invite can no longer be used

Options:
  --json          one JSON value on stdout instead of the table
  --yes           confirms users delete
  -h, --help      prints this help and exits 0
  every sotto-server option (--config FILE, --data DIR, --store URL, --files DIR|s3://…, …); the others
  are accepted and ignored, so the server's own command line or configuration file works as it is

Exit codes:
  0  done
  1  refused: no such account or invite, or the database does not answer (nothing was changed)
  2  a bad command, option or value (nothing was done)
`;
}
