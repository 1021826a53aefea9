/**
 * `sotto-server admin …`: parses the command line, opens the store the configuration names (never
 * creating one: a SQLite file must exist), runs one command, prints its table or JSON, and closes the
 * store. Returns the exit code: 0 done, 1 refused or failed, 2 bad usage.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_FILE } from '../adapters.js';
import { parseConfig, type ServerConfig } from '../config.js';
import { ConfigError } from '../config-error.js';
import { openBlobStore } from '../modules/files/open-blob-store.js';
import { openSqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/store.js';
import { parseAdminArgs } from './args.js';
import {
  type AdminContext,
  AdminError,
  type AdminOutput,
  devicesList,
  stats,
  tokensCreate,
  tokensList,
  tokensRevoke,
  usersDelete,
  usersList,
  usersSetDisabled,
} from './commands.js';
import { adminUsage } from './usage.js';

/** Where the admin writes. */
export interface AdminIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** Opens the configured store without creating one. Throws AdminError (exit 1). */
async function openStore(config: ServerConfig): Promise<Store> {
  if (config.store !== undefined) {
    const { openPostgresStore } = await import('../store/postgres.js');
    try {
      return await openPostgresStore(config.store, { maxConnections: 2 });
    } catch (err) {
      throw new AdminError(`the PostgreSQL store does not answer: ${(err as Error).message}`, 1);
    }
  }
  const file = join(config.dataDir, DATABASE_FILE);
  if (!existsSync(file)) {
    throw new AdminError(
      `there is no database at ${file}: give the server's --data DIR, --store or --config`,
      1,
    );
  }
  return openSqliteStore(file);
}

/** Runs the command named by `words` in `ctx`. Throws AdminError. */
function dispatch(words: readonly string[], ctx: AdminContext): Promise<AdminOutput> {
  const [group, verb, arg, extra] = words;
  const one = (n: number) => {
    if (words.length > n) throw new AdminError(`unexpected ${JSON.stringify(extra ?? arg)} (see --help)`, 2);
  };
  const command = `${group ?? ''} ${verb ?? ''}`.trim();
  switch (command) {
    case 'users list':
      one(2);
      return usersList(ctx);
    case 'users disable':
    case 'users enable':
      one(3);
      return usersSetDisabled(ctx, arg, verb === 'disable');
    case 'users delete':
      one(3);
      return usersDelete(ctx, arg);
    case 'devices list':
      one(3);
      return devicesList(ctx, arg);
    case 'tokens create':
      one(2);
      return tokensCreate(ctx);
    case 'tokens list':
      one(2);
      return tokensList(ctx);
    case 'tokens revoke':
      one(3);
      return tokensRevoke(ctx, arg);
    default:
      if (group === 'stats') {
        one(1);
        return stats(ctx);
      }
      throw new AdminError(
        command === '' ? 'a COMMAND is required (see --help)' : `unknown command "${command}" (see --help)`,
        2,
      );
  }
}

/** Runs `sotto-server admin` with `argv` (the words after `admin`); resolves to the exit code. */
export async function runAdmin(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: AdminIo,
): Promise<number> {
  let store: Store | undefined;
  try {
    const args = parseAdminArgs(argv);
    if (args.help) {
      io.stdout.write(adminUsage());
      return 0;
    }
    const config = parseConfig(args.serverArgs, env);
    if (args.words.length === 0) throw new AdminError('a COMMAND is required (see --help)', 2);
    store = await openStore(config);
    const out = await dispatch(args.words, {
      store,
      config,
      blobs: () => openBlobStore(config.files, config.dataDir),
      now: () => Date.now(),
      yes: args.yes,
      values: args.values,
    });
    io.stdout.write(args.json ? `${JSON.stringify(out.json)}\n` : `${out.lines.join('\n')}\n`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof AdminError) {
      io.stderr.write(`sotto-server admin: ${err.message}\n`);
      return err instanceof AdminError ? err.exitCode : 2;
    }
    io.stderr.write(`sotto-server admin: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await store?.close();
  }
}
