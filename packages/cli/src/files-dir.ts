/**
 * Where received files go: `--files DIR`, by default `<profile>/files` (created with mode 0700). Checked
 * before anything connects, so a directory that cannot be written is a usage error (exit 2) and no
 * message leaves the inbox unsaved because of it.
 */
import { constants, mkdirSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type ParsedArgs, stringOption } from './args.js';
import { usageError } from './exit-codes.js';
import { profileDir } from './profile.js';

/** The files directory of this run (absolute); not created yet. */
export function filesDir(args: ParsedArgs, env: Readonly<Record<string, string | undefined>>): string {
  return resolve(stringOption(args, 'files') ?? join(profileDir(args, env), 'files'));
}

/**
 * Creates `dir` if missing and checks that files can be created in it.
 * @throws CliError USAGE when it is not a writable directory.
 */
export async function ensureWritableDir(dir: string): Promise<void> {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
    await access(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw usageError(`cannot save files in ${dir}: not a writable directory`);
  }
}
