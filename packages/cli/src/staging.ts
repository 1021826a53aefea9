/**
 * `register` and `login` build the profile's store in a staging directory inside the profile directory
 * and move it into place only once the account exists. A failed attempt (wrong password, name taken,
 * server down) then leaves nothing behind that a retry would trip over — before, it left a store wrapped
 * under the wrong password that refused the right one. Only what this command created is removed; a
 * registered profile (one with `cli.json`) is never opened here, and a leftover store without `cli.json`
 * (from an interrupted older run) is moved aside, never deleted. The caller holds the profile's lock.
 */
import { mkdtempSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Staging directories start with this; any found at the start of a register/login are stale. */
const PREFIX = '.staging-';

/** A staged store: its directory, and the two ways to end it. */
export interface Staging {
  /** The staging directory; the store's files are created in it under their final names. */
  readonly dir: string;
  /**
   * Moves every file of the staged store (`name*`) into the profile directory, moving same-named leftovers
   * aside first; returns the names of the files moved aside. Then removes the staging directory.
   */
  commit(name: string): string[];
  /** Removes the staging directory. */
  discard(): void;
}

/**
 * Creates a staging directory in `profile` (after removing stale ones: the lock is held, so no other
 * process is using them).
 */
export function stage(profile: string): Staging {
  for (const entry of readdirSync(profile)) {
    if (entry.startsWith(PREFIX)) rmSync(join(profile, entry), { recursive: true, force: true });
  }
  const dir = mkdtempSync(join(profile, PREFIX));
  return {
    dir,
    commit(name) {
      const files = readdirSync(dir).filter((f) => f.startsWith(name));
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const leftovers = readdirSync(profile).filter((f) => f.startsWith(name));
      for (const f of leftovers) renameSync(join(profile, f), join(profile, `${f}.unused-${stamp}`));
      // The key file (if any) goes first: a database in place is never without its key.
      files.sort((a, b) => b.length - a.length);
      for (const f of files) renameSync(join(dir, f), join(profile, f));
      rmSync(dir, { recursive: true, force: true });
      return leftovers.map((f) => `${f}.unused-${stamp}`);
    },
    discard() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Removes `dir` if it is empty (a profile directory this command created and then did not use). */
export function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not empty, or already gone: keep it
  }
}
