/**
 * A file on disk as a {@link FileSource} (Node only: `node:fs` is imported when called, so a browser
 * build never pulls it in). It remembers its path, size and modification time, so an upload interrupted
 * by a restart of the process resumes from the same file, and one whose file changed meanwhile starts
 * over (with a fresh key) instead of mixing two versions.
 */

import { SottoError } from '@sotto/crypto';
import { mediaTypeOf } from './names.js';
import { checkRange, type FileSource, fileChanged } from './source.js';

/** A source read from a path; see {@link fileFromPath}. */
export interface PathFileSource extends FileSource {
  /** The absolute path. */
  readonly path: string;
  /** The modification time when opened (ms since the epoch, whole milliseconds). */
  readonly mtimeMs: number;
}

/**
 * Opens the file at `path` for sending: its base name, `mediaType` (else guessed from the extension, else
 * `application/octet-stream`), size and modification time. Reads open the file briefly each time (no
 * descriptor stays open). Throws INVALID_ARGUMENT when it is not a readable regular file.
 */
export async function fileFromPath(
  path: string,
  options: { readonly mediaType?: string } = {},
): Promise<PathFileSource> {
  const fs = await import('node:fs/promises');
  const { basename, resolve } = await import('node:path');
  const absolute = resolve(path);
  let stat: Awaited<ReturnType<typeof fs.stat>>;
  try {
    stat = await fs.stat(absolute);
  } catch (cause) {
    throw new SottoError('INVALID_ARGUMENT', 'The file cannot be read.', { cause });
  }
  if (!stat.isFile()) throw new SottoError('INVALID_ARGUMENT', 'Only a regular file can be sent.');
  const name = basename(absolute);
  return {
    path: absolute,
    size: stat.size,
    mtimeMs: Math.floor(stat.mtimeMs),
    name,
    mediaType: options.mediaType ?? mediaTypeOf(name),
    async read(offset, length) {
      checkRange(stat.size, offset, length);
      const out = new Uint8Array(length);
      const handle = await fs.open(absolute, 'r');
      try {
        let done = 0;
        while (done < length) {
          const { bytesRead } = await handle.read(out, done, length - done, offset + done);
          if (bytesRead === 0) throw fileChanged();
          done += bytesRead;
        }
      } finally {
        await handle.close();
      }
      return out;
    },
  };
}

/** True when `source` was opened from a path (its upload can resume after a restart). */
export function isPathSource(source: FileSource): source is PathFileSource {
  const s = source as Partial<PathFileSource>;
  return typeof s.path === 'string' && typeof s.mtimeMs === 'number';
}
