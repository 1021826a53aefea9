/**
 * Server configuration: one plain object, built from defaults, a configuration file (`--config`),
 * `SOTTO_*` environment variables and command-line flags (flags win over variables, variables over the
 * file). Limits live here too so an operator can tune them.
 */
import { DEFAULT_LIMITS, type Limits } from '@sotto/protocol';
import { ConfigError } from './config-error.js';
import { fileKey, readConfigFile } from './config-file.js';
import { FLAGS, type Flag, type FlagSpec, isFlag } from './config-flags.js';
import { canonicalOrigin } from './modules/auth/origins.js';
import { parseTurn, type TurnSettings } from './modules/calls/turn-config.js';
import { isS3Spec, parseS3Location, type S3Location } from './modules/files/s3-location.js';
import { parseSmtp, type SmtpSettings } from './modules/notify/smtp-config.js';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.js';
import { defaultWebDir, isWebDir } from './web-static.js';

/**
 * Limits the server enforces: the protocol's operator-configurable {@link Limits} (defaults in
 * `DEFAULT_LIMITS`, documented in docs/protocol.md) plus the server's own.
 */
export interface ServerLimits extends Limits {
  /** Malformed frames per connection per minute before the peer counts as abusive and is closed. */
  readonly badFramesPerMinute: number;
  /** How often expired envelopes are swept, in milliseconds. */
  readonly expirySweepMs: number;
  /** WebSocket ping interval, in milliseconds; a silent peer is dropped after two. */
  readonly heartbeatMs: number;
  /** WebSocket connections (upgrades) per client IP per minute; refused with HTTP 429 beyond. */
  readonly connectionsPerIpPerMinute: number;
  /** `files.authorize` requests per account per minute; RATE_LIMITED beyond. */
  readonly fileAuthorizationsPerAccountPerMinute: number;
  /**
   * How often the blob store is walked for bytes without a record and finished files without bytes, in
   * milliseconds (expiry runs every `expirySweepMs`).
   */
  readonly fileCollectionIntervalMs: number;
  /**
   * How often each node looks for accounts the operator disabled or deleted (and closes their connections),
   * adds its messages to the day's counts and reports its connected devices, in milliseconds.
   */
  readonly operatorPollMs: number;
  /** Grace delay before a notification email for a message to an offline account, in milliseconds. */
  readonly notifyOfflineDelayMs: number;
  /** Grace delay before a notification email for a message to a busy account, in milliseconds. */
  readonly notifyBusyDelayMs: number;
  /** Least time between two notification emails to one account, in milliseconds. */
  readonly notifyWindowMs: number;
  /** Delay before a notification the mail server did not take is tried again, in milliseconds. */
  readonly notifyRetryMs: number;
  /** How often each node looks for due notifications (besides its own timers), in milliseconds. */
  readonly notifySweepMs: number;
  /** How long an emailed verification code is valid, in milliseconds. */
  readonly notifyCodeTtlMs: number;
  /** Tries (right or wrong) one verification code allows. */
  readonly notifyCodeAttempts: number;
  /** Verification codes (emails) an account may ask for per hour; RATE_LIMITED beyond. */
  readonly notifyCodesPerAccountPerHour: number;
  /** `calls.ice` requests (TURN credentials minted) per device per minute; RATE_LIMITED beyond. */
  readonly iceRequestsPerDevicePerMinute: number;
}

/** The defaults: the protocol's, and the server's own. */
export const DEFAULT_SERVER_LIMITS: ServerLimits = Object.freeze({
  ...DEFAULT_LIMITS,
  badFramesPerMinute: 60,
  expirySweepMs: 60_000,
  heartbeatMs: 30_000,
  connectionsPerIpPerMinute: 600,
  fileAuthorizationsPerAccountPerMinute: 60,
  fileCollectionIntervalMs: 60 * 60_000,
  operatorPollMs: 5_000,
  notifyOfflineDelayMs: 5 * 60_000,
  notifyBusyDelayMs: 30_000,
  notifyWindowMs: 60 * 60_000,
  notifyRetryMs: 2 * 60_000,
  notifySweepMs: 30_000,
  notifyCodeTtlMs: 15 * 60_000,
  notifyCodeAttempts: 5,
  notifyCodesPerAccountPerHour: 5,
  iceRequestsPerDevicePerMinute: 30,
});

/** Everything `startServer` needs. Only `dataDir` is required; the rest have defaults. */
export interface ServerConfig {
  /** TCP port; 0 picks a free one (tests). Default 8080. */
  readonly port: number;
  /** Interface to bind. Default `0.0.0.0`. */
  readonly host: string;
  /** Directory for the SQLite database and the OPAQUE server setup file. Created if missing. */
  readonly dataDir: string;
  /** PEM certificate and key files; when both are set the server speaks HTTPS and WSS. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** Overrides of {@link DEFAULT_SERVER_LIMITS}. */
  readonly limits: ServerLimits;
  /**
   * The origins clients reach the server at (e.g. `https://chat.example.org`), one of which they sign into
   * the connection challenge; canonical (see `canonicalOrigin`). Empty (the default): the origins of where
   * the server listens (loopback names, the bound address, on a wildcard bind the machine's addresses and
   * host name, with the bound port), never the request's Host header. Set it behind a proxy.
   */
  readonly publicOrigins: readonly string[];
  /**
   * Which reverse proxies to believe about the client's address (`X-Forwarded-For`), for per-IP limits.
   * Default `false`: the header is ignored.
   */
  readonly trustProxy: TrustProxy;
  /**
   * The OPAQUE server setup file, which must exist (copied from another node of the deployment). Default:
   * `<dataDir>/opaque-server-setup`, made on the first start of a deployment.
   */
  readonly opaqueSetupFile?: string | undefined;
  /** Pino log level. Default `info`. */
  readonly logLevel: string;
  /**
   * A `postgres://` URL (optionally with `?schema=name`) to keep everything in PostgreSQL, so several
   * nodes can share it. Default: SQLite at `<dataDir>/sotto.db`.
   */
  readonly store?: string | undefined;
  /**
   * A `redis://` URL (optionally with `?channel=name`) to signal between nodes over Redis pub/sub.
   * Default: the in-process bus (one node).
   */
  readonly bus?: string | undefined;
  /**
   * A built web client to serve at `/` (a directory with `index.html`). `parseConfig` defaults it to
   * `packages/web/dist` when that exists; `defaultConfig` leaves it unset (no web client).
   */
  readonly webDir?: string | undefined;
  /**
   * Where the ciphertext of files lives: a directory, or an S3 bucket (see `parseS3Location`) for several
   * nodes. Default: `<dataDir>/files`.
   */
  readonly files?: string | S3Location | undefined;
  /**
   * Who may register: `open` (anyone, the default), `token` (only with an invite issued by `sotto-server
   * admin tokens create`) or `closed` (nobody: REGISTRATION_CLOSED).
   */
  readonly registration: RegistrationMode;
  /**
   * The mail server for notification emails (`--smtp-url`, `--smtp-from`; see `parseSmtp`). Default: none,
   * and then the server sends no email (clients are told notifications are unavailable).
   */
  readonly smtp?: SmtpSettings | undefined;
  /**
   * The STUN and TURN servers handed to devices for calls, with the TURN secret (`--turn-url`,
   * `--turn-secret`; see `parseTurn`). Default: none (`calls.ice` answers with an empty list).
   */
  readonly turn?: TurnSettings | undefined;
}

export { ConfigError } from './config-error.js';

/** Who may create an account: anyone, holders of an operator-issued invite, or nobody. */
export type RegistrationMode = 'open' | 'token' | 'closed';

/** The registration modes, for `--registration`. */
export const REGISTRATION_MODES: readonly RegistrationMode[] = ['open', 'token', 'closed'];

/** A config with every default filled in; `overrides` win. */
export function defaultConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    port: 8080,
    host: '0.0.0.0',
    dataDir: './data',
    limits: DEFAULT_SERVER_LIMITS,
    publicOrigins: [],
    trustProxy: false,
    logLevel: 'info',
    registration: 'open',
    ...overrides,
  };
}

/**
 * Reads `NAME=INTEGER` limit overrides (from repeated `--limit` flags or comma-separated `SOTTO_LIMITS`)
 * into `into`. Throws {@link ConfigError} on an unknown limit name or a value that is not a whole number.
 */
function readLimit(spec: string, into: Record<string, number>): void {
  const m = /^\s*([A-Za-z]+)\s*=\s*(\d{1,15})\s*$/.exec(spec);
  const name = m?.[1];
  const value = m?.[2];
  if (name === undefined || value === undefined) {
    throw new ConfigError(`--limit takes NAME=INTEGER (e.g. sendsPerDevicePerSecond=50), got "${spec}"`);
  }
  if (!Object.hasOwn(DEFAULT_SERVER_LIMITS, name)) {
    throw new ConfigError(
      `--limit: unknown limit ${name}; known: ${Object.keys(DEFAULT_SERVER_LIMITS).join(', ')}`,
    );
  }
  into[name] = Number(value);
}

/** The canonical origins in `values` (each a comma-separated list). Throws {@link ConfigError}. */
function readOrigins(values: readonly string[]): string[] {
  const out = new Set<string>();
  for (const item of values.flatMap((v) => v.split(','))) {
    if (item.trim() === '') continue;
    const origin = canonicalOrigin(item.trim());
    if (origin === undefined) {
      throw new ConfigError(
        '--public-origin takes origins such as https://chat.example.org (scheme, host and port; no path)',
      );
    }
    out.add(origin);
  }
  return [...out];
}

/** The `--trust-proxy` value (default off). Throws {@link ConfigError}. */
function readTrustProxy(value: string | undefined): TrustProxy {
  if (value === undefined) return false;
  try {
    return parseTrustProxy(value);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

/** The `--files` value: a directory, or an `s3://` bucket with credentials from `env`. Throws ConfigError. */
function readFiles(
  value: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | S3Location | undefined {
  if (value === undefined || !isS3Spec(value)) return value;
  try {
    return parseS3Location(value, env);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

/** The `--smtp-url` and `--smtp-from` values (default: no mail server). Throws {@link ConfigError}. */
function readSmtp(url: string | undefined, from: string | undefined): SmtpSettings | undefined {
  if (url === undefined) {
    if (from !== undefined) throw new ConfigError('--smtp-from needs --smtp-url');
    return undefined;
  }
  try {
    return parseSmtp(url, from);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

/** The `--turn-*` values (default: no STUN or TURN). Throws {@link ConfigError}. */
function readTurn(raw: Map<Flag, string[]>): TurnSettings | undefined {
  try {
    return parseTurn({
      urls: raw.get('--turn-url') ?? [],
      secret: raw.get('--turn-secret')?.at(-1),
      secretFile: raw.get('--turn-secret-file')?.at(-1),
      ttl: raw.get('--turn-ttl')?.at(-1),
    });
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

const STORE_URL = /^postgres(ql)?:\/\/./;
const BUS_URL = /^rediss?:\/\/./;

/** Where a raw value came from, for error messages: the command line, a variable, or the file. */
type Sources = Map<Flag, string>;

/**
 * The raw values of every flag given on the command line. Throws {@link ConfigError} on an unknown flag or
 * a missing value.
 */
function argValues(argv: readonly string[]): Map<Flag, string[]> {
  const fromArgs = new Map<Flag, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    if (!isFlag(flag)) throw new ConfigError(`unknown option ${flag} (see --help)`);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new ConfigError(`${flag} needs a value`);
    const before = (FLAGS[flag] as FlagSpec).repeatable === true ? (fromArgs.get(flag) ?? []) : [];
    fromArgs.set(flag, [...before, value]);
  }
  return fromArgs;
}

/**
 * The raw values of every flag: from the configuration file, replaced by the environment, replaced by the
 * command line (a repeatable flag's values all count; given at a higher level they replace the lower
 * level's, except `--limit`, whose values override the lower levels' one limit at a time). Records in
 * `sources` where each flag's value came from. Throws {@link ConfigError} on an unknown flag, a missing
 * value, or a bad configuration file.
 */
function rawValues(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  sources: Sources,
): Map<Flag, string[]> {
  const fromEnv = new Map<Flag, string[]>();
  for (const [flag, spec] of Object.entries(FLAGS) as [Flag, (typeof FLAGS)[Flag]][]) {
    const v = env[spec.env];
    if (v !== undefined && v !== '') fromEnv.set(flag, [v]);
  }
  const fromArgs = argValues(argv);
  const configFile = (fromArgs.get('--config') ?? fromEnv.get('--config'))?.at(-1);
  const fromFile = configFile === undefined ? new Map<Flag, string[]>() : readConfigFile(configFile);
  const out = new Map<Flag, string[]>();
  const levels = [
    [fromFile, (flag: Flag) => `${fileKey(flag)} in ${configFile}`],
    [fromEnv, (flag: Flag) => FLAGS[flag].env],
    [fromArgs, (flag: Flag) => flag],
  ] as const;
  for (const [values, where] of levels) {
    for (const [flag, v] of values) {
      out.set(flag, flag === '--limit' ? [...(out.get(flag) ?? []), ...v] : v);
      sources.set(flag, where(flag));
    }
  }
  return out;
}

/**
 * `err` with where the value it names came from, when that was not the command line (`--port must be
 * 0..65535 (from port in /etc/sotto/sotto.toml)`), so an operator finds the value to fix.
 */
function withSource(err: unknown, sources: Sources): unknown {
  if (!(err instanceof ConfigError)) return err;
  const named = /--[a-z-]+/.exec(err.message)?.[0];
  const source = named !== undefined && isFlag(named) ? sources.get(named) : undefined;
  if (source === undefined || source === named) return err;
  return new ConfigError(`${err.message} (from ${source})`);
}

/**
 * Builds a config from `argv` (flags only, `--flag value` or `--flag=value`; see {@link FLAGS}) over `env`
 * (the `SOTTO_*` variables) over the configuration file that `--config` / `SOTTO_CONFIG` names (see
 * `readConfigFile`) over the defaults. Every value is checked by the same rules wherever it came from; an
 * error about a value that did not come from the command line says where it did. Throws
 * {@link ConfigError} on an unknown flag or file key, a file that cannot be read or parsed, a missing
 * value, a bad port, a `--registration` other than open, token or closed, only one of the TLS files, a store that is not a `postgres://` URL, a bus that is not
 * a `redis://` URL, a `--web` directory without an `index.html`, a bad `--files s3://…` location, a bad
 * `--smtp-url` or `--smtp-from` (see `parseSmtp`), bad `--turn-*` values (see `parseTurn`), a
 * `--public-origin` that is not an
 * http(s) origin (repeatable, and comma-separated lists), a bad `--trust-proxy`, or a bad `--limit NAME=INTEGER`
 * (repeatable; `SOTTO_LIMITS=a=1,b=2` from the environment).
 */
export function parseConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ServerConfig {
  const sources: Sources = new Map();
  try {
    return buildConfig(rawValues(argv, env, sources), env);
  } catch (err) {
    throw withSource(err, sources);
  }
}

/** The config from the merged raw values. Throws {@link ConfigError} on a bad value. */
function buildConfig(
  raw: Map<Flag, string[]>,
  env: Readonly<Record<string, string | undefined>>,
): ServerConfig {
  const one = (flag: Flag): string | undefined => raw.get(flag)?.at(-1);
  const limits: Record<string, number> = {};
  for (const value of raw.get('--limit') ?? []) {
    for (const spec of value.split(',')) if (spec.trim() !== '') readLimit(spec, limits);
  }
  const portText = one('--port');
  const port = portText === undefined ? 8080 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('--port must be 0..65535');
  const cert = one('--tls-cert');
  const key = one('--tls-key');
  if ((cert === undefined) !== (key === undefined)) {
    throw new ConfigError('--tls-cert and --tls-key must be given together');
  }
  const store = one('--store');
  if (store !== undefined && !STORE_URL.test(store)) {
    throw new ConfigError('--store must be a postgres:// URL (default: SQLite in the data directory)');
  }
  const bus = one('--bus');
  if (bus !== undefined && !BUS_URL.test(bus)) {
    throw new ConfigError('--bus must be a redis:// or rediss:// URL (default: in-process)');
  }
  const web = one('--web');
  if (web !== undefined && !isWebDir(web)) {
    throw new ConfigError('--web must be a directory with an index.html (npm run build -w @sotto/web)');
  }
  const registration = one('--registration') ?? 'open';
  if (!(REGISTRATION_MODES as readonly string[]).includes(registration)) {
    throw new ConfigError('--registration must be open, token or closed');
  }
  return defaultConfig({
    port,
    registration: registration as RegistrationMode,
    host: one('--host') ?? '0.0.0.0',
    dataDir: one('--data') ?? './data',
    tls: cert !== undefined && key !== undefined ? { certFile: cert, keyFile: key } : undefined,
    logLevel: one('--log-level') ?? 'info',
    opaqueSetupFile: one('--opaque-setup'),
    trustProxy: readTrustProxy(one('--trust-proxy')),
    publicOrigins: readOrigins(raw.get('--public-origin') ?? []),
    store,
    bus,
    webDir: web ?? defaultWebDir(),
    files: readFiles(one('--files'), env),
    smtp: readSmtp(one('--smtp-url'), one('--smtp-from')),
    turn: readTurn(raw),
    limits: { ...DEFAULT_SERVER_LIMITS, ...limits },
  });
}
