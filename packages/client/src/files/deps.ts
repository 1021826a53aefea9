/**
 * What the file transfers need from the client. Transfers run beside the client's queue (a long upload
 * must not hold up receiving messages); every read-modify-write of history or the `files` table goes
 * through `run`, the client's one-at-a-time queue.
 */

import type { Ctx } from '../context.js';
import type { FetchLike } from '../http.js';
import type { Transfers } from './transfers.js';

/** The client's side of file transfers. */
export interface FilesDeps {
  /** The loaded profile's context (throws NOT_REGISTERED). */
  ctx(): Promise<Ctx>;
  /** Runs `task` in the client's queue. */
  run<T>(task: (ctx: Ctx) => Promise<T>): Promise<T>;
  /** True while connected and authenticated. */
  online(): boolean;
  /** The base URL of the server in use. */
  serverUrl(): string;
  /** For downloads. */
  readonly fetch: FetchLike;
  /** For uploads (tus requests). */
  readonly uploadFetch: FetchLike;
  /** True when `uploadFetch` takes streamed bodies: the rest of a file goes in one PATCH. */
  readonly streamUploads: boolean;
  /** Reports a background failure as an `error` event. */
  report(err: unknown): void;
  readonly transfers: Transfers;
  readonly backoff: { readonly minMs: number; readonly maxMs: number };
  /** Ciphertext bytes per upload request (or per step of a streamed one). */
  readonly batchBytes: number;
}

/** Emits a `file-progress` event. */
export function progressOf(
  ctx: Ctx,
  messageId: string,
  direction: 'up' | 'down',
  total: number,
): (bytes: number) => void {
  return (bytes) => ctx.events.emit('file-progress', { messageId, direction, bytes, total });
}
