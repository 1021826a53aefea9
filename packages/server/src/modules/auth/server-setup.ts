/**
 * The OPAQUE server setup (the server's long-term OPAQUE key material). It lives in a file readable only by
 * the server's user (mode 0600) in the data directory, not in the database, so a database dump alone
 * cannot impersonate the server to users logging in.
 */
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as opaque from '@serenity-kit/opaque';

/** The setup file's name inside the data directory. */
export const SERVER_SETUP_FILE = 'opaque-server-setup';

/**
 * Reads the server setup from `dataDir`, creating it (mode 0600, exclusive create) on first start.
 * Tightens a looser mode it finds. Throws when the file exists but is empty.
 */
export async function loadServerSetup(dataDir: string): Promise<string> {
  await opaque.ready;
  const path = join(dataDir, SERVER_SETUP_FILE);
  try {
    writeFileSync(path, opaque.server.createSetup(), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  const setup = readFileSync(path, 'utf8').trim();
  if (setup.length === 0) throw new Error(`${path} is empty`);
  return setup;
}
