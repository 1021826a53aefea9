/**
 * The latest `file-progress` of each transfer, by message id, for the bubbles to read: one SDK listener
 * for the page, and a bubble re-renders only when its own transfer moves.
 */
import type { FileProgressEvent, SottoClient } from '@sotto/client';
import { useCallback, useSyncExternalStore } from 'react';
import { Watchers } from './watchers.js';

/** Progress by message id, with a subscription per id. */
export class ProgressBoard {
  private readonly latest = new Map<string, FileProgressEvent>();
  private readonly watchers = new Watchers();
  private readonly firstUp = new Set<(p: FileProgressEvent) => void>();

  /** Follows `client`'s progress events; returns the unsubscribe function. */
  attach(client: SottoClient): () => void {
    return client.on('file-progress', (p) => this.record(p));
  }

  private record(p: FileProgressEvent): void {
    this.latest.set(p.messageId, p);
    this.watchers.notify(p.messageId);
    if (p.direction === 'up' && p.bytes === 0) for (const fn of [...this.firstUp]) fn(p);
  }

  /** The latest progress of message `id`'s transfer. */
  get(id: string): FileProgressEvent | undefined {
    return this.latest.get(id);
  }

  /** Calls `fn` on each change of `id`'s progress; returns the unsubscribe function. */
  watch(id: string, fn: () => void): () => void {
    return this.watchers.watch(id, fn);
  }

  /** Calls `fn` for every upload that starts (its first report, at 0 bytes); returns the unsubscribe. */
  onUploadStart(fn: (p: FileProgressEvent) => void): () => void {
    this.firstUp.add(fn);
    return () => this.firstUp.delete(fn);
  }

  /** Forgets message `id`. */
  forget(id: string): void {
    this.latest.delete(id);
  }
}

/** The latest progress of message `id`'s transfer, re-rendering on each report. */
export function useProgress(board: ProgressBoard, id: string): FileProgressEvent | undefined {
  const subscribe = useCallback((fn: () => void) => board.watch(id, fn), [board, id]);
  return useSyncExternalStore(subscribe, () => board.get(id));
}
