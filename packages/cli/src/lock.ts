/**
 * One process per profile: two `sotto` processes on the same device would both advance its ratchet
 * sessions and hold two connections for one device. The lock is a file created exclusively in the profile
 * directory holding the owner's pid; a lock whose process is gone is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, EXIT } from './exit-codes.js';

/** The lock file's name inside the profile directory. */
export const LOCK_FILE = 'lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownerOf(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the profile's lock; returns the function that releases it.
 * @throws CliError PROFILE_IN_USE (exit 1) while another live process holds it.
 */
export function lockProfile(dir: string): () => void {
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        if (ownerOf(file) === process.pid) rmSync(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = ownerOf(file);
      if (owner !== undefined && owner !== process.pid && alive(owner)) {
        throw new CliError(
          'PROFILE_IN_USE',
          `profile ${dir} is in use by another sotto (pid ${owner}); use "sotto chat" to send and receive at once`,
          EXIT.OTHER,
        );
      }
      rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new CliError('PROFILE_IN_USE', `cannot lock profile ${dir}`, EXIT.OTHER);
}
