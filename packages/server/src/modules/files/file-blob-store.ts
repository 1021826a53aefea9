/**
 * The default {@link BlobStore}: a directory (`<dataDir>/files`) of one data file per upload (`<id>`) and
 * the tus upload description beside it (`<id>.json`: size, offset, creation date; no metadata is
 * accepted, so nothing about the file's content). The upload offset is the data file's length.
 */
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { open, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileStore } from '@tus/file-store';
import { ERRORS } from '@tus/utils';
import { type BlobStore, FILE_ID, isTusError, TUS_EXTENSIONS, uploadOffset } from './blob-store.js';

/** How many ids {@link FileBlobStore.ids} yields at a time. */
const PAGE = 1_000;
const ENTRY = /^([0-9a-f]{32})(\.json)?$/;

const missing = (err: unknown) => (err as NodeJS.ErrnoException)?.code === 'ENOENT';

/**
 * @tus/file-store with two changes: an append is flushed to disk (fsync) before tus answers with the new
 * offset, so an offset once reported survives a crash of the machine too; and an error tus raised while
 * reading the request (the body ran past the upload's length: 413) keeps its status instead of becoming
 * "500 receiving the file".
 */
class DurableFileStore extends FileStore {
  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    if (!FILE_ID.test(id)) throw ERRORS.FILE_NOT_FOUND;
    const path = join(this.directory, id);
    let received = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(readable, count, createWriteStream(path, { flags: 'r+', start: offset }));
    } catch (err) {
      if (isTusError(err) && err.status_code < 500) throw err;
      throw ERRORS.FILE_WRITE_ERROR;
    } finally {
      // fsync applies to the file, whichever descriptor asks: what was written is on disk after this.
      const handle = await open(path, 'r');
      await handle.sync().finally(() => handle.close());
    }
    return offset + received;
  }
}

/** The file-system {@link BlobStore}. */
export class FileBlobStore implements BlobStore {
  readonly kind = 'file';
  readonly uploads: DurableFileStore;

  /** Uses (and creates, mode 0700) `directory`. */
  constructor(readonly directory: string) {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    this.uploads = new DurableFileStore({ directory });
    this.uploads.extensions = TUS_EXTENSIONS;
  }

  offset(id: string): Promise<number | undefined> {
    return uploadOffset(this.uploads, id);
  }

  async read(id: string, size: number, start: number, end: number): Promise<Readable | undefined> {
    if (!FILE_ID.test(id)) return undefined;
    const path = join(this.directory, id);
    try {
      if ((await stat(path)).size !== size) return undefined;
    } catch (err) {
      if (missing(err)) return undefined;
      throw err;
    }
    // createReadStream's `end` is inclusive, so an empty range cannot be expressed with it.
    return end > start ? createReadStream(path, { start, end: end - 1 }) : Readable.from([]);
  }

  async remove(id: string): Promise<void> {
    if (!FILE_ID.test(id)) return;
    for (const name of [id, `${id}.json`]) {
      await unlink(join(this.directory, name)).catch((err: unknown) => {
        if (!missing(err)) throw err;
      });
    }
  }

  async *ids(): AsyncIterable<readonly string[]> {
    const names = await readdir(this.directory);
    const ids = [...new Set(names.flatMap((n) => ENTRY.exec(n)?.[1] ?? []))];
    for (let i = 0; i < ids.length; i += PAGE) yield ids.slice(i, i + PAGE);
  }

  async close(): Promise<void> {}
}
