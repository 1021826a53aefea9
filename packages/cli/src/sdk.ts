/**
 * The one place the CLI builds an SDK client: the profile's SQLite store, the Node crypto provider and the
 * server URL. Commands get a {@link Session} and close it when done; register and login get theirs from
 * {@link withNewProfile}, which commits the new store to the profile only when the account exists.
 */
import { existsSync } from 'node:fs';
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
  writeSettings,
} from './profile.js';
import { removeIfEmpty, type Staging, stage } from './staging.js';

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
 * Opens the profile of `ctx`, which must have registered or logged in (else NO_ACCOUNT, exit 2); its store
 * is opened with the password when it is password-protected.
 */
export async function openSession(ctx: CommandContext): Promise<Session> {
  const dir = profileDir(ctx.args, ctx.env);
  const settings = requireSettings(dir);
  const server = serverUrl(ctx.args, ctx.env, settings);
  const unlock = lockProfile(dir);
  try {
    const password =
      settings.store === 'password' ? await readPassword(ctx.args, ctx.env, ctx.io) : undefined;
    const session = await openClient({ dir, storeDir: dir, server, settings, password });
    return { ...session, close: once(() => closeThen(session, unlock)) };
  } catch (err) {
    unlock();
    throw err;
  }
}

/** Runs `fn` with a session and always closes it. */
export async function withSession<T>(ctx: CommandContext, fn: (s: Session) => Promise<T>): Promise<T> {
  const session = await openSession(ctx);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

/**
 * Runs `fn` (register or login) on a new store built in a staging directory of the profile (see
 * staging.ts), then moves it into place and remembers server and account. When `fn` fails, the staged store
 * is removed — unless the account already reached it (the server accepted the account or device, and only
 * the first connection failed): then it is kept like a success, said on stderr, and the error is thrown.
 * @throws CliError ALREADY_REGISTERED (exit 5) when the profile already holds an account; it is untouched.
 */
export async function withNewProfile<T>(
  ctx: CommandContext,
  profile: NewProfile,
  fn: (s: Session) => Promise<T>,
): Promise<{ result: T; settings: ProfileSettings }> {
  const dir = profileDir(ctx.args, ctx.env);
  const existing = readSettings(dir);
  if (existing !== undefined) {
    throw new CliError(
      'ALREADY_REGISTERED',
      `profile ${dir} already holds ${existing.name}; use another --profile`,
      EXIT.REFUSED,
    );
  }
  const server = serverUrl(ctx.args, ctx.env, undefined);
  const createdDir = !existsSync(dir);
  ensureProfileDir(dir);
  const unlock = lockProfile(dir);
  let committed = false;
  let staging: Staging | undefined;
  try {
    const staged = stage(dir);
    staging = staged;
    const session = await openClient({
      dir,
      storeDir: staged.dir,
      server,
      settings: undefined,
      password: profile.store === 'password' ? profile.password : undefined,
    });
    const keep = async (): Promise<ProfileSettings> => {
      const me = await session.client.whoami();
      await session.close();
      const settings: ProfileSettings = { server, name: me.account, store: profile.store };
      for (const aside of staged.commit(STORE_FILE)) {
        ctx.out.note(`an unused store left by an earlier attempt was moved aside: ${join(dir, aside)}`);
      }
      writeSettings(dir, settings);
      committed = true;
      return settings;
    };
    let result: T;
    try {
      result = await fn(session);
    } catch (err) {
      const registered = await session.client.isRegistered().catch(() => false);
      if (registered) {
        const settings = await keep();
        ctx.out.note(
          `the account ${settings.name} exists and this profile keeps it; it finishes setting up on its next connection`,
        );
      } else await session.close();
      throw err;
    }
    return { result, settings: await keep() };
  } finally {
    if (!committed) staging?.discard();
    unlock();
    if (!committed && createdDir) removeIfEmpty(dir);
  }
}

/** Where {@link openClient} opens the store, and for which profile. */
interface ClientPlace {
  readonly dir: string;
  readonly storeDir: string;
  readonly server: string;
  readonly settings: ProfileSettings | undefined;
  /** The store is wrapped under this password; without it, a key file beside it is used. */
  readonly password: string | undefined;
}

async function openClient(place: ClientPlace): Promise<Session> {
  // Loaded on demand so `--help` and `serve` start fast.
  const { createClient, openSqliteStore } = await import('@sotto/client');
  const { createNodeProvider } = await import('@sotto/crypto');
  const provider = createNodeProvider();
  const store = await openSqliteStore({
    path: join(place.storeDir, STORE_FILE),
    provider,
    ...(place.password === undefined ? {} : { password: place.password }),
  });
  // The inbox keeps every received message until a command reports it (see inbox.ts), so commands that
  // only connect (send, contacts, …) never swallow what `receive` should show.
  const client = createClient({ server: place.server, store, provider, inbox: true });
  return {
    client,
    dir: place.dir,
    server: place.server,
    settings: place.settings,
    close: once(async () => {
      try {
        await client.close();
      } finally {
        await store.close();
      }
    }),
  };
}

async function closeThen(session: Session, then: () => void): Promise<void> {
  try {
    await session.close();
  } finally {
    then();
  }
}

/** `fn` run at most once; later calls return the first call's promise. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= fn();
    return running;
  };
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
  return withSession(ctx, async (s) => {
    await connect(s);
    return fn(s);
  });
}
