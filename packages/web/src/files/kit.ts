/**
 * Everything the page's file UI shares for one signed-in client: upload and download progress, the
 * downloads with their verified files, and the sends with this page's own files. Created when the files
 * code loads (after sign-in), attached to the client while the messenger shows.
 */
import type { SottoClient } from '@sotto/client';
import { Downloads } from './downloads.js';
import { ProgressBoard } from './progress.js';
import { FileSender } from './send.js';

/** The file UI's shared state. */
export interface FilesKit {
  readonly client: SottoClient;
  readonly progress: ProgressBoard;
  readonly downloads: Downloads;
  readonly sender: FileSender;
  /** Starts following the client's progress events; returns the function that stops it. */
  attach(): () => void;
  /** Forgets message `id` (deleted). */
  forget(id: string): void;
}

/** A kit for `client`. */
export function createFilesKit(client: SottoClient): FilesKit {
  const progress = new ProgressBoard();
  const downloads = new Downloads(client);
  const sender = new FileSender(client, progress);
  return {
    client,
    progress,
    downloads,
    sender,
    attach: () => progress.attach(client),
    forget(id) {
      progress.forget(id);
      downloads.forget(id);
      sender.forget(id);
    },
  };
}
