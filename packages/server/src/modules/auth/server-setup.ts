/**
 * The OPAQUE server setup (the server's long-term OPAQUE key material). It lives in a file readable only by
 * the server's user (mode 0600), by default in the data directory, not in the database, so a database dump
 * alone cannot impersonate the server to users logging in. The database records its fingerprint (a hash
 * of the setup's public key, never the secret) for the whole deployment, so a node with another setup, or
 * none, refuses to start instead of making a new key and failing every login.
 */
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as opaque from '@serenity-kit/opaque';
import type { Store } from '../../store/store.js';

/** The setup file's name inside the data directory. */
export const SERVER_SETUP_FILE = 'opaque-server-setup';

/** The setting that holds the setup's fingerprint. */
export const SETUP_FINGERPRINT = 'opaque-setup-fingerprint';

/** The server will not start with this setup (`main` exits 1); the message says what to do. */
export class ServerSetupError extends Error {
  override readonly name = 'ServerSetupError';
}

/** `sha256:` and the hex SHA-256 of the setup's OPAQUE public key. */
export function setupFingerprint(setup: string): string {
  return `sha256:${createHash('sha256').update(opaque.server.getPublicKey(setup)).digest('hex')}`;
}

const HOW_TO_FIX =
  'Copy opaque-server-setup (mode 0600) from a node of this deployment into the data directory, or pass ' +
  '--opaque-setup FILE (SOTTO_OPAQUE_SETUP_FILE).';

/** Where the setup is, and the store that records its fingerprint. */
interface Options {
  readonly dataDir: string;
  /** `--opaque-setup`: a file that must exist (default: `<dataDir>/opaque-server-setup`, made if missing). */
  readonly file?: string | undefined;
  readonly store: Pick<Store, 'hasAccounts' | 'getSetting' | 'recordSetting'>;
}

/** The setup in `path` (mode tightened to 0600), or undefined when there is no such file. */
function readSetup(path: string): string | undefined {
  let setup: string;
  try {
    setup = readFileSync(path, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  if (setup.length === 0) throw new ServerSetupError(`${path} is empty. ${HOW_TO_FIX}`);
  return setup;
}

/**
 * The OPAQUE server setup this node runs with, checked against the deployment's recorded fingerprint:
 * - the store records none and holds no account: the given file, else the data directory's (made on
 *   first start, mode 0600, exclusive create), whose fingerprint it records;
 * - the store records none but holds accounts (a store from before fingerprints): the existing file's,
 *   recorded now;
 * - the store records one: the local setup must match it.
 * Throws {@link ServerSetupError} when the setup is missing (and may not be made) or does not match: the
 * caller must not start. Throws when the file cannot be read or written.
 */
export async function openServerSetup(options: Options): Promise<string> {
  await opaque.ready;
  const { store } = options;
  const path = options.file ?? join(options.dataDir, SERVER_SETUP_FILE);
  const recorded = await store.getSetting(SETUP_FINGERPRINT);
  let setup = readSetup(path);
  let made = false;
  if (setup === undefined) {
    if (recorded !== undefined) {
      throw new ServerSetupError(
        `There is no OPAQUE server setup at ${path}, but this store belongs to a deployment whose setup ` +
          `has the fingerprint ${recorded}: a new one would fail every login. ${HOW_TO_FIX}`,
      );
    }
    if (await store.hasAccounts()) {
      throw new ServerSetupError(
        `There is no OPAQUE server setup at ${path}, but this store holds accounts registered with one: a ` +
          `new one would fail every login. ${HOW_TO_FIX}`,
      );
    }
    if (options.file !== undefined) throw new ServerSetupError(`--opaque-setup: there is no file ${path}.`);
    try {
      writeFileSync(path, opaque.server.createSetup(), { mode: 0o600, flag: 'wx' });
      made = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    setup = readSetup(path) ?? '';
  }
  const fingerprint = setupFingerprint(setup);
  const deployment = recorded ?? (await store.recordSetting(SETUP_FINGERPRINT, fingerprint));
  if (deployment !== fingerprint && made) {
    // This node raced another to set up an empty store, and lost: its fresh setup is of no use.
    unlinkSync(path);
    throw new ServerSetupError(
      `Another node set up this store at the same time (its OPAQUE setup has the fingerprint ` +
        `${deployment}). ${HOW_TO_FIX}`,
    );
  }
  if (deployment !== fingerprint) {
    throw new ServerSetupError(
      `The OPAQUE server setup at ${path} (fingerprint ${fingerprint}) is not this deployment's ` +
        `(${deployment}): logins would fail. ${HOW_TO_FIX}`,
    );
  }
  return setup;
}
