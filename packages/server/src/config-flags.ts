/**
 * The server's command-line options, each with its `SOTTO_*` variable and one line of help. One table:
 * `parseConfig` accepts exactly these flags and variables, and `--help` prints exactly these, so the two
 * cannot drift apart.
 */

/** One option: its environment variable, the placeholder of its value, and what it does. */
export interface FlagSpec {
  readonly env: string;
  /** The value's placeholder in `--help` (`N`, `DIR`, …). */
  readonly arg: string;
  readonly help: string;
  /** May be given more than once (every value counts; a flag replaces the variable's values). */
  readonly repeatable?: boolean;
}

/** Every option `sotto-server` (and `sotto serve`) takes, in the order `--help` lists them. */
export const FLAGS = {
  '--config': {
    env: 'SOTTO_CONFIG',
    arg: 'FILE',
    help:
      'A configuration file, FILE.toml or FILE.json: each key is an option below without its dashes ' +
      '(port = 8443, public-origin = ["https://…"], [limits] for --limit). Flags win over variables, ' +
      'variables over the file. An unknown key is an error. See docs/deploy.md.',
  },
  '--port': { env: 'SOTTO_PORT', arg: 'N', help: 'TCP port; 0 picks a free one. Default 8080.' },
  '--host': { env: 'SOTTO_HOST', arg: 'ADDR', help: 'Address to bind. Default 0.0.0.0 (every interface).' },
  '--data': {
    env: 'SOTTO_DATA',
    arg: 'DIR',
    help: 'Data directory: the SQLite database and the OPAQUE setup file. Default ./data.',
  },
  '--tls-cert': {
    env: 'SOTTO_TLS_CERT',
    arg: 'FILE',
    help: 'PEM certificate chain; with --tls-key the server speaks HTTPS and WSS. Default: plain HTTP.',
  },
  '--tls-key': { env: 'SOTTO_TLS_KEY', arg: 'FILE', help: 'PEM private key for --tls-cert.' },
  '--public-origin': {
    env: 'SOTTO_PUBLIC_ORIGIN',
    arg: 'URL',
    help:
      'An origin clients use (https://chat.example.org); a comma-separated list or the flag repeated for ' +
      'several. Devices sign it into every connection; needed behind a proxy. Default: where the server ' +
      'listens (localhost, 127.0.0.1, [::1], the bound address, or on 0.0.0.0 every interface address and ' +
      'the host name, with the bound port).',
    repeatable: true,
  },
  '--trust-proxy': {
    env: 'SOTTO_TRUST_PROXY',
    arg: 'SPEC',
    help:
      'Believe X-Forwarded-For from these reverse proxies, so per-IP limits count the real client: a ' +
      'comma-separated list of addresses and CIDR ranges (10.0.0.0/8,loopback), a hop count, or true (every ' +
      'hop). Default false: the header is ignored.',
  },
  '--opaque-setup': {
    env: 'SOTTO_OPAQUE_SETUP_FILE',
    arg: 'FILE',
    help:
      'The OPAQUE server setup (the key every login needs), copied from another node of the deployment; ' +
      'it must exist. Default: DIR/opaque-server-setup, made on the first start of a deployment. A node ' +
      'whose setup is missing or not the one the store records refuses to start (exit 1).',
  },
  '--log-level': {
    env: 'SOTTO_LOG_LEVEL',
    arg: 'LEVEL',
    help: 'fatal, error, warn, info, debug, trace or silent. Default info.',
  },
  '--store': {
    env: 'SOTTO_STORE',
    arg: 'URL',
    help: 'postgres://… (optionally ?schema=NAME) to share PostgreSQL between nodes. Default: SQLite in DIR.',
  },
  '--bus': {
    env: 'SOTTO_BUS',
    arg: 'URL',
    help: 'redis://… (optionally ?channel=NAME) to signal between nodes. Default: in-process.',
  },
  '--files': {
    env: 'SOTTO_FILES',
    arg: 'DIR|s3://BUCKET',
    help:
      'Where encrypted files (ciphertext only) are stored: a directory, or an S3-compatible bucket for ' +
      'several nodes, s3://BUCKET?endpoint=https://s3.example.org&region=R (pathStyle=true|false; default ' +
      'true with an endpoint), with credentials from SOTTO_S3_ACCESS_KEY and SOTTO_S3_SECRET_KEY or the ' +
      'AWS_* variables. Default DIR/files.',
  },
  '--web': {
    env: 'SOTTO_WEB',
    arg: 'DIR',
    help: 'A built web client (a directory with index.html) to serve at /. Default: packages/web/dist if built.',
  },
  '--registration': {
    env: 'SOTTO_REGISTRATION',
    arg: 'MODE',
    help:
      'Who may create accounts: open (anyone), token (only with an invite from `sotto-server admin ' +
      'tokens create`) or closed (nobody). Default open.',
  },
  '--smtp-url': {
    env: 'SOTTO_SMTP_URL',
    arg: 'URL',
    help:
      'The mail server for notification emails: smtp://[USER[:PASSWORD]@]HOST[:PORT] (STARTTLS when offered, ' +
      'required when a password goes to another host; port 587 by default) or smtps://… (TLS, port 465). ' +
      'Prefer the variable: a command line is visible to other users. Default: none, no emails are sent.',
  },
  '--smtp-from': {
    env: 'SOTTO_SMTP_FROM',
    arg: 'ADDRESS',
    help: 'The sender of notification emails, e.g. "Sotto <sotto@example.org>"; needed with --smtp-url.',
  },
  '--turn-url': {
    env: 'SOTTO_TURN_URL',
    arg: 'URL',
    help:
      'A STUN or TURN server for calls: stun:HOST[:PORT], turn:HOST[:PORT][?transport=udp|tcp] or ' +
      'turns:HOST[:PORT]; a comma-separated list or the flag repeated. turn: URLs need --turn-secret. ' +
      'Default: none (calls connect directly, or not at all behind strict NATs). See docs/deploy.md.',
    repeatable: true,
  },
  '--turn-secret': {
    env: 'SOTTO_TURN_SECRET',
    arg: 'SECRET',
    help:
      "The TURN server's static-auth-secret (coturn use-auth-secret), 16+ printable characters: devices get " +
      'time-limited credentials derived from it. Prefer the variable or --turn-secret-file: a command line ' +
      'is visible to other users.',
  },
  '--turn-secret-file': {
    env: 'SOTTO_TURN_SECRET_FILE',
    arg: 'FILE',
    help: 'A file holding --turn-secret (one line).',
  },
  '--turn-ttl': {
    env: 'SOTTO_TURN_TTL',
    arg: 'SECONDS',
    help: 'How long TURN credentials handed to a device stay valid, 60 to 604800. Default 21600 (6 hours).',
  },
  '--limit': {
    env: 'SOTTO_LIMITS',
    arg: 'NAME=N',
    help: 'Overrides one limit, e.g. sendsPerDevicePerSecond=50 (the variable takes a=1,b=2).',
    repeatable: true,
  },
} as const satisfies Record<string, FlagSpec>;

/** A flag `parseConfig` knows. */
export type Flag = keyof typeof FLAGS;

/** True when `flag` is one of {@link FLAGS}. */
export function isFlag(flag: string): flag is Flag {
  return Object.hasOwn(FLAGS, flag);
}
