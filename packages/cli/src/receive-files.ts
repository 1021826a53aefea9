/**
 * What `receive` does with a file message before printing it: downloads the file (verified by the SDK)
 * into the files directory under a new safe name (see file-names.ts, saved-file.ts), or, with
 * `--no-download`, leaves it on the server for `sotto download`. A download that fails is reported with
 * its code (FILE_INTEGRITY: nothing was saved) and the message is printed all the same; one that was
 * cancelled because receive stops leaves the message waiting for the next receive.
 */
import type { Message, SottoClient } from '@sotto/client';
import { describeFailure } from './errors.js';
import type { ProgressDisplay } from './progress.js';
import type { FileOutcome } from './render.js';
import { saveFile } from './saved-file.js';

/** Options of {@link receivedFiles}. */
export interface ReceivedFilesOptions {
  /** Where files are saved; undefined with `--no-download`. */
  readonly dir: string | undefined;
  readonly progress: ProgressDisplay;
  /** Resolves once connected (a download waits for it, so a dead server fails fast, exit 4). */
  readonly ready: () => Promise<void>;
}

/** The file handling of one `receive`. */
export interface ReceivedFiles {
  /**
   * Saves `m`'s file if it has one waiting: what became of it (undefined for a message without a file),
   * or `kept` when its download was cancelled.
   */
  take(m: Message): Promise<FileOutcome | undefined | 'kept'>;
  /** Cancels the download in progress, if any. */
  cancel(): Promise<void>;
}

/** Codes after which the file cannot be downloaded again. */
const LOST = new Set(['FILE_INTEGRITY', 'FILE_NOT_FOUND']);

/** Builds the file handling of a `receive` run. */
export function receivedFiles(client: SottoClient, options: ReceivedFilesOptions): ReceivedFiles {
  let current: string | undefined;
  return {
    async take(m) {
      const file = m.file;
      if (file === undefined) return undefined;
      const waiting = file.state === 'available' || file.state === 'downloading';
      if (options.dir === undefined || !waiting) return { state: waiting ? 'available' : file.state };
      await options.ready();
      current = m.id;
      try {
        const savedTo = await saveFile(client, m, { dir: options.dir, name: file.name }, options.progress);
        return { state: 'downloaded', savedTo };
      } catch (err) {
        const { code } = describeFailure(err);
        if (code === 'CANCELLED') return 'kept';
        return { state: LOST.has(code) ? 'failed' : 'available', error: code };
      } finally {
        current = undefined;
      }
    },
    async cancel() {
      if (current !== undefined) await client.cancelFile(current).catch(() => {});
    },
  };
}
