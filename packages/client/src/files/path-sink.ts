/**
 * A file on disk as a {@link FileSink} (Node only: `node:fs` is imported on first use). It writes to
 * `<path>.partial` and renames it to `<path>` only once the download is verified; on failure or cancel
 * the partial file is removed, so nothing half-written is ever left under the final name.
 */

import type { FileSink } from './sink.js';

/** Writes the download to `path` (replacing a file there) once complete; see above. */
export function fileSinkAt(path: string): FileSink & { readonly path: string } {
  const partial = `${path}.partial`;
  let handle: import('node:fs/promises').FileHandle | undefined;
  const fs = () => import('node:fs/promises');
  const closeHandle = async () => {
    const h = handle;
    handle = undefined;
    await h?.close();
  };
  return {
    path,
    async write(bytes) {
      handle ??= await (await fs()).open(partial, 'w', 0o600);
      let done = 0;
      while (done < bytes.length) {
        done += (await handle.write(bytes, done, bytes.length - done)).bytesWritten;
      }
    },
    async close() {
      handle ??= await (await fs()).open(partial, 'w', 0o600);
      await handle.sync();
      await closeHandle();
      await (await fs()).rename(partial, path);
    },
    async abort() {
      await closeHandle().catch(() => undefined);
      await (await fs()).rm(partial, { force: true });
    },
  };
}
