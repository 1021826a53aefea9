/**
 * Hands accepted sends to the store in batches (group commit at the relay, for any Store adapter). Sends
 * accepted while a batch is being written join the next one, and one batch is in flight at a time, so
 * sends take effect in the order they were accepted: a device's pipelined sends keep their order.
 *
 * A batch is one `enqueue` call (one transaction). When a mailbox in it is full, nothing of it was stored,
 * and the batch is redone send by send, in order: each send stays all-or-none and only sends that do not
 * fit fail, exactly as if they had been written one at a time.
 */

import type { NewEnvelope, Store } from '../../store/store.js';
import { TurnQueue } from '../../turn-queue.js';

/**
 * A send's mailbox positions, one per envelope (0: already stored), with each mailbox's previous highest
 * position when the store knows it (`EnqueueResult.prevs`); undefined when a mailbox was full.
 */
export type WriteResult =
  | { readonly seqs: readonly number[]; readonly prevs?: readonly number[] | undefined }
  | undefined;

interface Queued {
  readonly envelopes: readonly NewEnvelope[];
  resolve(result: WriteResult): void;
  reject(err: unknown): void;
}

/** The relay's write queue. */
export class SendBatcher {
  private readonly queue = new TurnQueue<Queued>((q) => this.writeBatch(q.splice(0)));

  constructor(
    private readonly store: Store,
    private readonly maxPerMailbox: number,
    /** Counts envelopes newly stored (metrics). */
    private readonly onStored: (n: number) => void,
  ) {}

  /**
   * Stores one send's envelopes after every send accepted before it. Resolves with their mailbox positions
   * once they are durable, undefined (nothing stored) when one of their mailboxes is full; rejects when the
   * store fails.
   */
  write(envelopes: readonly NewEnvelope[]): Promise<WriteResult> {
    return new Promise<WriteResult>((resolve, reject) => {
      // Drained after this turn's I/O callbacks, so every send read in it shares the batch.
      this.queue.push({ envelopes, resolve, reject });
    });
  }

  private async writeBatch(batch: readonly Queued[]): Promise<void> {
    try {
      const all = batch.length === 1 ? (batch[0]?.envelopes ?? []) : batch.flatMap((q) => q.envelopes);
      const result = await this.store.enqueue(all, this.maxPerMailbox);
      if (result.ok) {
        this.onStored(result.stored);
        let at = 0;
        for (const q of batch) {
          const n = q.envelopes.length;
          q.resolve(
            batch.length === 1
              ? result
              : { seqs: result.seqs.slice(at, at + n), prevs: result.prevs?.slice(at, at + n) },
          );
          at += n;
        }
        return;
      }
      if (batch.length === 1) {
        batch[0]?.resolve(undefined);
        return;
      }
    } catch (err) {
      for (const q of batch) q.reject(err);
      return;
    }
    // A mailbox is full: one send at a time, in order.
    for (const q of batch) {
      try {
        const result = await this.store.enqueue(q.envelopes, this.maxPerMailbox);
        if (result.ok) this.onStored(result.stored);
        q.resolve(result.ok ? result : undefined);
      } catch (err) {
        q.reject(err);
      }
    }
  }
}
