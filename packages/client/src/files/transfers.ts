/**
 * The transfers of one client in progress, by message id: each can be cancelled (its promise rejects
 * with CANCELLED) or stopped because the client closes (an upload then waits to resume). Also the
 * sources of this process's uploads, so an upload interrupted by a lost connection resumes from the
 * same bytes (a source on disk can be opened again after a restart; bytes in memory cannot).
 */

import { SottoError } from '@sotto/crypto';
import type { FileSource } from './source.js';

/** Why a transfer was stopped. */
export type StopReason = 'cancel' | 'close';

interface Active {
  readonly direction: 'up' | 'down';
  readonly controller: AbortController;
  promise?: Promise<unknown>;
  reason?: StopReason;
}

/** What a transfer's task gets: its signal, and why it was stopped (once it was). */
export interface TransferControl {
  readonly signal: AbortSignal;
  reason(): StopReason | undefined;
}

/** The transfers in progress and the sources of pending uploads. */
export class Transfers {
  private readonly active = new Map<string, Active>();
  private readonly sources = new Map<string, FileSource>();

  /**
   * Runs `task` as the transfer of `messageId`. An upload already running is joined (its promise is
   * returned); a download while another transfer of the message runs throws INVALID_ARGUMENT.
   */
  run<T>(messageId: string, direction: 'up' | 'down', task: (c: TransferControl) => Promise<T>): Promise<T> {
    const running = this.active.get(messageId);
    if (running !== undefined) {
      if (direction === 'up' && running.direction === 'up' && running.promise !== undefined) {
        return running.promise as Promise<T>;
      }
      return Promise.reject(new SottoError('INVALID_ARGUMENT', 'This file is already being transferred.'));
    }
    const entry: Active = { direction, controller: new AbortController() };
    this.active.set(messageId, entry);
    const promise = (async () => {
      try {
        return await task({ signal: entry.controller.signal, reason: () => entry.reason });
      } finally {
        this.active.delete(messageId);
      }
    })();
    entry.promise = promise;
    return promise;
  }

  /** True while a transfer of `messageId` runs. */
  running(messageId: string): boolean {
    return this.active.has(messageId);
  }

  /** Stops the transfer of `messageId`; resolves once it ended (false when none ran). */
  async stop(messageId: string, reason: StopReason): Promise<boolean> {
    const entry = this.active.get(messageId);
    if (entry === undefined) return false;
    entry.reason ??= reason;
    entry.controller.abort(new SottoError('CANCELLED'));
    await entry.promise?.catch(() => undefined);
    return true;
  }

  /** Stops every transfer (the client closes); resolves once all ended. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.active.keys()].map((id) => this.stop(id, 'close')));
  }

  /** Remembers the source of a pending upload. */
  keepSource(messageId: string, source: FileSource): void {
    this.sources.set(messageId, source);
  }

  /** The remembered source of an upload. */
  source(messageId: string): FileSource | undefined {
    return this.sources.get(messageId);
  }

  /** Forgets the source of an upload that ended. */
  dropSource(messageId: string): void {
    this.sources.delete(messageId);
  }
}
