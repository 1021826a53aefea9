/**
 * The one place the CLI builds an SDK client: the profile's SQLite store, the Node crypto provider and the
 * server URL. Commands get a {@link Session} and close it when done.
 */
import { join } from 'node:path';
import type { SottoClient } from '@sotto/client';
import type { CommandContext } from './command.js';
import { CliError, EXIT } from './exit-codes.js';
import { lockProfile } from './lock.js';
import { readPassword } from './password.js';
import {
  ensureProfileDir,
  type ProfileSettings,
  profileDir,
  readSettings,
  requireSettings,
  type StoreProtection,
  serverUrl,
} from './profile.js';

/** The SDK's database file inside the profile directory. */
export const STORE_FILE = 'sotto.db';

/** An open client over a profile. */
export interface Session {
  readonly client: SottoClient;
  readonly dir: string;
  readonly server: string;
  /** The remembered settings; undefined before register/login. */
  readonly settings: ProfileSettings | undefined;
  /** Disconnects and closes the store. Idempotent. */
  close(): Promise<void>;
}

/** How a new profile's store is protected; see {@link StoreProtection}. */
export interface NewProfile {
  readonly password: string;
  readonly store: StoreProtection;
}

/**
 * Opens the profile of `ctx`. With `'required'` the profile must have registered or logged in (else
 * NO_ACCOUNT, exit 2), and its store is opened with the password when it is password-protected; with a
 * {@link NewProfile} it must not have (else ALREADY_REGISTERED, exit 5).
 */
export async function openSession(ctx: CommandContext, account: 'required' | NewProfile): Promise<Session> {
  const dir = profileDir(ctx.args, ctx.env);
  let settings: ProfileSettings | undefined;
  if (account === 'required') settings = requireSettings(dir);
  else {
    settings = readSettings(dir);
    if (settings !== undefined) {
      throw new CliError(
        'ALREADY_REGISTERED',
        `profile ${dir} already holds ${settings.name}; use another --profile`,
        EXIT.REFUSED,
      );
    }
  }
  const server = serverUrl(ctx.args, ctx.env, settings);
  ensureProfileDir(dir);
  const unlock = lockProfile(dir);
  try {
    return await openLocked(ctx, account, dir, server, settings, unlock);
  } catch (err) {
    unlock();
    throw err;
  }
}

async function openLocked(
  ctx: CommandContext,
  account: 'required' | NewProfile,
  dir: string,
  server: string,
  settings: ProfileSettings | undefined,
  unlock: () => void,
): Promise<Session> {
  // Loaded on demand so `--help` and `serve` start fast.
  const { createClient, openSqliteStore } = await import('@sotto/client');
  const { createNodeProvider } = await import('@sotto/crypto');
  const provider = createNodeProvider();
  const protection = account === 'required' ? (settings?.store ?? 'password') : account.store;
  const password =
    account !== 'required'
      ? account.password
      : protection === 'password'
        ? await readPassword(ctx.args, ctx.env, ctx.io)
        : undefined;
  const store = await openSqliteStore({
    path: join(dir, STORE_FILE),
    provider,
    ...(protection === 'password' && password !== undefined ? { password } : {}),
  });
  const client = createClient({ server, store, provider });
  let closing: Promise<void> | undefined;
  return {
    client,
    dir,
    server,
    settings,
    close: () => {
      closing ??= (async () => {
        try {
          await client.close();
        } finally {
          try {
            await store.close();
          } finally {
            unlock();
          }
        }
      })();
      return closing;
    },
  };
}

/** Runs `fn` with a session and always closes it. */
export async function withSession<T>(
  ctx: CommandContext,
  account: 'required' | NewProfile,
  fn: (s: Session) => Promise<T>,
): Promise<T> {
  const session = await openSession(ctx, account);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

/**
 * Connects and authenticates. Fails fast instead of waiting in the SDK's reconnect loop: when the first
 * attempt drops, with the SDK's reported error if there was one (a revoked device: DEVICE_NOT_FOUND, exit
 * 3), else NETWORK (exit 4).
 */
export async function connect(session: Session): Promise<void> {
  const offs: Array<() => void> = [];
  const unreachable = new Promise<never>((_, reject) => {
    let reported: { code: string; message: string } | undefined;
    offs.push(
      session.client.on('error', (e) => {
        reported ??= e;
      }),
      session.client.on('connection', (e) => {
        if (e.state !== 'offline') return;
        // The SDK reports why (if it knows) right after dropping the socket.
        setImmediate(() => {
          if (reported !== undefined) reject(new CliError(reported.code, reported.message, EXIT.AUTH));
          else reject(new CliError('NETWORK', `cannot reach the server ${session.server}`, EXIT.NETWORK));
        });
      }),
    );
  });
  unreachable.catch(() => {}); // only the race below observes it
  try {
    await Promise.race([session.client.connect(), unreachable]);
  } finally {
    for (const off of offs) off();
  }
}

/** Like {@link withSession}, connected (authenticated) first. */
export function withConnection<T>(ctx: CommandContext, fn: (s: Session) => Promise<T>): Promise<T> {
  return withSession(ctx, 'required', async (s) => {
    await connect(s);
    return fn(s);
  });
}
