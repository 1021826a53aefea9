/**
 * Saving a downloaded file without ever showing a half-written or unverified one, and without replacing
 * anything. The SDK writes verified plaintext into a hidden partial file in the target directory
 * (`.sotto-<message id>.partial`, mode 0600: a download interrupted by a kill leaves only that, and the
 * next download of the same message starts it afresh); on any failure it is removed. Only once the SDK
 * has verified the whole file is it given its name, by a hard link that fails if the name exists (so a
 * file that appeared meanwhile is never replaced), then the partial name goes.
 */
import { randomBytes } from 'node:crypto';
import { link, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FileSink, Message, SottoClient } from '@sotto/client';
import { CliError, EXIT } from './exit-codes.js';
import { nameVariants, pathInside, safeFileName } from './file-names.js';
import type { ProgressDisplay } from './progress.js';

/**
 * Where a download goes: a new name in a directory (made safe by {@link safeFileName}, numbered when
 * taken), or exactly one path the user chose (which must not exist).
 */
export type Destination =
  | { readonly dir: string; readonly name: string }
  | { readonly path: string; readonly name?: undefined };

/** A sink writing a hidden partial file; {@link PartialFile.place} names it once verified. */
export interface PartialFile extends FileSink {
  /** Gives the verified file its final name; returns the path. Removes the partial file on failure. */
  place(): Promise<string>;
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** The hidden partial file of message `messageId` in `dir` (a random name for an id that is not hex). */
function partialPath(dir: string, messageId: string): string {
  const tag = /^[0-9a-f]{32}$/.test(messageId) ? messageId : randomBytes(16).toString('hex');
  return join(dir, `.sotto-${tag}.partial`);
}

/** Links `partial` to `target` unless `target` exists; false when it does. */
async function claim(partial: string, target: string): Promise<boolean> {
  try {
    await link(partial, target);
    return true;
  } catch (err) {
    if (errno(err) === 'EEXIST') return false;
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EMLINK'].includes(errno(err) ?? '')) throw err;
  }
  // A file system without hard links: reserve the name exclusively, then move the file onto it.
  try {
    await (await open(target, 'wx', 0o600)).close();
  } catch (err) {
    if (errno(err) === 'EEXIST') return false;
    throw err;
  }
  await rename(partial, target);
  return true;
}

/** A partial file for message `messageId`'s download to `to`. */
export function partialFile(to: Destination, messageId: string): PartialFile {
  const dir = to.name === undefined ? dirname(to.path) : to.dir;
  const partial = partialPath(dir, messageId);
  let handle: import('node:fs/promises').FileHandle | undefined;
  const opened = async () => {
    if (handle === undefined) {
      await rm(partial, { force: true }); // left by a download that was killed
      handle = await open(partial, 'wx', 0o600);
    }
    return handle;
  };
  const closeHandle = async () => {
    const h = handle;
    handle = undefined;
    await h?.close();
  };
  const place = async (): Promise<string> => {
    if (to.name === undefined) {
      if (!(await claim(partial, to.path))) {
        throw new CliError('FILE_EXISTS', `${to.path} exists; sotto never replaces a file`, EXIT.USAGE);
      }
      return to.path;
    }
    for (const name of nameVariants(safeFileName(to.name))) {
      const target = pathInside(to.dir, name);
      if (await claim(partial, target)) return target;
    }
    throw new CliError('FILE_EXISTS', `too many files named like ${to.name} in ${to.dir}`, EXIT.OTHER);
  };
  return {
    async write(bytes) {
      const h = await opened();
      let done = 0;
      while (done < bytes.length) done += (await h.write(bytes, done, bytes.length - done)).bytesWritten;
    },
    async close() {
      const h = await opened();
      await h.sync();
      await closeHandle();
    },
    async abort() {
      await closeHandle().catch(() => undefined);
      await rm(partial, { force: true });
    },
    async place() {
      try {
        return await place();
      } finally {
        await rm(partial, { force: true });
      }
    },
  };
}

/**
 * Downloads message `m`'s file (verified by the SDK) and saves it at `to`; returns where. Progress goes
 * to `progress`. Throws what `downloadFile` throws (FILE_INTEGRITY, FILE_NOT_FOUND, CANCELLED, …; nothing
 * is saved then) and FILE_EXISTS.
 */
export async function saveFile(
  client: SottoClient,
  m: Message,
  to: Destination,
  progress: ProgressDisplay,
): Promise<string> {
  const sink = partialFile(to, m.id);
  progress.label(m.id, m.file?.name ?? 'file');
  try {
    await client.downloadFile(m.id, sink);
  } finally {
    progress.end(m.id);
  }
  return sink.place();
}
