/**
 * The page's downloads of received files: each runs once however many bubbles ask (the SDK refuses a
 * second transfer of one message), automatic ones (small images and voice notes) at most
 * {@link AUTO_AT_ONCE} at a time, and the verified files are kept in memory for the session, least
 * recently used first out beyond {@link KEEP_BYTES}, so scrolling back does not fetch them again. A
 * Blob is only ever the file the SDK verified (its sink hands it out after the SDK's `close`).
 */
import { type SottoClient, SottoError } from '@sotto/client';
import { useCallback, useSyncExternalStore } from 'react';

import { foldingBlobSink } from './blob-sink.js';
import { Watchers } from './watchers.js';

/** Automatic downloads running at once. */
export const AUTO_AT_ONCE = 2;
/** Bytes of verified files kept for the session. */
export const KEEP_BYTES = 256 << 20;

/** What the page knows of one message's download. */
export interface DownloadState {
  /** The verified file. */
  readonly blob?: Blob | undefined;
  readonly running: boolean;
  /** The error code of the last attempt (not kept for a cancelled one). */
  readonly error?: string | undefined;
}

const IDLE: DownloadState = { running: false };

/** Downloads by message id. */
export class Downloads {
  private readonly states = new Map<string, DownloadState>();
  private readonly watchers = new Watchers();
  private readonly kept = new Map<string, Blob>();
  private keptBytes = 0;
  private readonly waiting: Array<() => void> = [];
  private autoRunning = 0;
  /** Queued automatic downloads cancelled before they started. */
  private readonly dropped = new Set<string>();

  constructor(private readonly client: SottoClient) {}

  /** The state of message `id`'s download. */
  get(id: string): DownloadState {
    return this.states.get(id) ?? IDLE;
  }

  /** Calls `fn` on each change of `id`'s state; returns the unsubscribe function. */
  watch(id: string, fn: () => void): () => void {
    return this.watchers.watch(id, fn);
  }

  private set(id: string, state: DownloadState): void {
    this.states.set(id, state);
    this.watchers.notify(id);
  }

  /** Keeps `blob` as message `id`'s file (a verified download, or this device's own original). */
  keep(id: string, blob: Blob): void {
    const old = this.kept.get(id);
    if (old !== undefined) this.keptBytes -= old.size;
    this.kept.delete(id);
    this.kept.set(id, blob);
    this.keptBytes += blob.size;
    for (const [other, b] of this.kept) {
      if (this.keptBytes <= KEEP_BYTES || other === id) break;
      this.kept.delete(other);
      this.keptBytes -= b.size;
      this.set(other, { ...this.get(other), blob: undefined });
    }
    this.set(id, { running: false, blob });
  }

  /**
   * Downloads message `id`'s file (`auto`: queued behind other automatic downloads) unless it is here
   * or on its way. Resolves with the verified file, or undefined when it failed or was cancelled (the
   * state then says why).
   */
  async fetch(id: string, mediaType: string, auto = false): Promise<Blob | undefined> {
    const now = this.get(id);
    if (now.blob !== undefined) {
      this.kept.delete(id); // most recently used
      this.kept.set(id, now.blob);
      return now.blob;
    }
    if (now.running) return undefined;
    this.set(id, { running: true });
    if (auto) await this.slot();
    try {
      if (this.dropped.delete(id)) {
        this.set(id, IDLE);
        return undefined;
      }
      const sink = foldingBlobSink(mediaType);
      await this.client.downloadFile(id, sink);
      const blob = sink.blob();
      if (blob === undefined) throw new SottoError('INTERNAL', 'The download ended without a file.');
      this.keep(id, blob);
      return blob;
    } catch (err) {
      const code = SottoError.is(err) ? err.code : 'INTERNAL';
      this.set(id, code === 'CANCELLED' ? IDLE : { running: false, error: code });
      return undefined;
    } finally {
      this.dropped.delete(id);
      if (auto) this.release();
    }
  }

  /** Stops message `id`'s download. */
  async cancel(id: string): Promise<void> {
    if (this.get(id).running) this.dropped.add(id);
    await this.client.cancelFile(id).catch(() => undefined);
  }

  /** Forgets message `id` (deleted). */
  forget(id: string): void {
    const b = this.kept.get(id);
    if (b !== undefined) this.keptBytes -= b.size;
    this.kept.delete(id);
    this.states.delete(id);
  }

  private slot(): Promise<void> {
    if (this.autoRunning < AUTO_AT_ONCE) {
      this.autoRunning++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next();
    else this.autoRunning--;
  }
}

/** Message `id`'s download state, re-rendering on each change. */
export function useDownload(downloads: Downloads, id: string): DownloadState {
  const subscribe = useCallback((fn: () => void) => downloads.watch(id, fn), [downloads, id]);
  return useSyncExternalStore(subscribe, () => downloads.get(id));
}
