/**
 * The profile: one directory per device (`--profile DIR`, `SOTTO_PROFILE`, default `~/.sotto`). The SDK
 * keeps its encrypted store there; the CLI keeps `cli.json` beside it with the server URL and account name,
 * written after register/login so later commands need neither flag.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { type ParsedArgs, stringOption } from './args.js';
import { CliError, EXIT, usageError } from './exit-codes.js';

/**
 * How the profile's storage key is kept: wrapped under the account password (every command then needs the
 * password), or in a key file beside the database (`--unattended`: no password after register/login).
 */
export type StoreProtection = 'password' | 'keyfile';

/** What the CLI remembers about a profile. Contains no secret. */
export interface ProfileSettings {
  readonly server: string;
  readonly name: string;
  readonly store: StoreProtection;
}

/** The file inside the profile directory holding {@link ProfileSettings}. */
export const SETTINGS_FILE = 'cli.json';

/** The profile directory from the flag, then `SOTTO_PROFILE`, then `~/.sotto`; always absolute. */
export function profileDir(args: ParsedArgs, env: Readonly<Record<string, string | undefined>>): string {
  const dir = stringOption(args, 'profile') ?? nonEmpty(env.SOTTO_PROFILE) ?? join(homedir(), '.sotto');
  return resolve(dir);
}

/** Creates the profile directory (mode 0700) if missing. */
export function ensureProfileDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** The remembered settings, or `undefined` for a profile that never registered or logged in. */
export function readSettings(dir: string): ProfileSettings | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, SETTINGS_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const v = JSON.parse(text) as Partial<ProfileSettings>;
    if (typeof v.server === 'string' && typeof v.name === 'string') {
      return { server: v.server, name: v.name, store: v.store === 'keyfile' ? 'keyfile' : 'password' };
    }
  } catch {
    // fall through
  }
  throw new CliError('PROFILE_CORRUPT', `${join(dir, SETTINGS_FILE)} is not valid`, EXIT.OTHER);
}

/** Writes the settings atomically (mode 0600). */
export function writeSettings(dir: string, settings: ProfileSettings): void {
  ensureProfileDir(dir);
  const file = join(dir, SETTINGS_FILE);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/**
 * The server URL from the flag, then `SOTTO_SERVER`, then the profile's remembered one.
 * @throws CliError USAGE when there is none, or it is not an http(s) URL.
 */
export function serverUrl(
  args: ParsedArgs,
  env: Readonly<Record<string, string | undefined>>,
  settings: ProfileSettings | undefined,
): string {
  const url = stringOption(args, 'server') ?? nonEmpty(env.SOTTO_SERVER) ?? settings?.server;
  if (url === undefined) throw usageError('no server: give --server URL or set SOTTO_SERVER');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(`--server is not a URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw usageError('--server must be an http:// or https:// URL');
  }
  return url.replace(/\/+$/, '');
}

/**
 * The settings of a profile that has an account.
 * @throws CliError NO_ACCOUNT (exit 2) when the profile never registered or logged in.
 */
export function requireSettings(dir: string): ProfileSettings {
  const s = readSettings(dir);
  if (s === undefined) {
    throw new CliError(
      'NO_ACCOUNT',
      `no account in profile ${dir}: run "sotto register" or "sotto login" first`,
      EXIT.USAGE,
    );
  }
  return s;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
