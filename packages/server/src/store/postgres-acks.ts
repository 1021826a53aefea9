/**
 * Acknowledgements on PostgreSQL in batches: the acks that arrive while one batch is being deleted (from
 * any number of devices) are deleted together in the next, with one statement (one round trip, one
 * commit). Each caller's promise settles after the commit of its batch, with how many of its envelopes
 * were deleted, so "resolved" still means "durable". Deletes are idempotent: an ack of an envelope that
 * is already gone deletes nothing, and a failed batch rejects every caller in it (each device acks again).
 */
import type pg from 'pg';
import { TurnQueue } from '../turn-queue.js';
import { int } from './sqlite-rows.js';
import type { DeviceAddress, EnvelopeRef } from './store.js';

/** Deletes by (recipient, seq, id); returns the caller index of every deleted row. */
const DELETE = {
  name: 'sotto_ack_batch',
  text: `DELETE FROM envelopes e
     USING unnest($1::text[], $2::bigint[], $3::bigint[], $4::bytea[], $5::int[]) AS a(acc, dev, seq, id, c)
     WHERE e.seq = a.seq AND e.id = a.id AND e.recipient_account = a.acc AND e.recipient_device = a.dev
     RETURNING a.c`,
};

/** Acks per statement at most (larger batches split). */
const MAX_BATCH = 4_096;

/** How many callers from the front of `queue` go in one statement: up to {@link MAX_BATCH} acks, at least one caller. */
function batchLength(queue: readonly Pending[]): number {
  let size = 0;
  let n = 0;
  while (n < queue.length && (n === 0 || size + (queue[n]?.acks.length ?? 0) <= MAX_BATCH)) {
    size += queue[n]?.acks.length ?? 0;
    n++;
  }
  return n;
}

interface Pending {
  readonly device: DeviceAddress;
  readonly acks: readonly EnvelopeRef[];
  resolve(n: number): void;
  reject(err: unknown): void;
}

const bytesParam = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** The batching ack writer of one `PostgresStore`. */
export class AckBatcher {
  private readonly queue = new TurnQueue<Pending>((q) => this.delete(q.splice(0, batchLength(q))));

  constructor(private readonly pool: Pick<pg.Pool, 'query'>) {}

  /** Deletes `acks` of `device`; resolves with how many were deleted, once committed. */
  ack(device: DeviceAddress, acks: readonly EnvelopeRef[]): Promise<number> {
    if (acks.length === 0) return Promise.resolve(0);
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ device, acks, resolve, reject });
    });
  }

  private async delete(batch: readonly Pending[]): Promise<void> {
    const acc: string[] = [];
    const dev: number[] = [];
    const seq: number[] = [];
    const id: Buffer[] = [];
    const caller: number[] = [];
    batch.forEach((p, i) => {
      for (const a of p.acks) {
        acc.push(p.device.account);
        dev.push(p.device.deviceId);
        seq.push(a.seq);
        id.push(bytesParam(a.id));
        caller.push(i);
      }
    });
    try {
      const res = await this.pool.query({ ...DELETE, values: [acc, dev, seq, id, caller] });
      const counts = new Array<number>(batch.length).fill(0);
      for (const r of res.rows as { c: unknown }[]) {
        const i = int(r.c);
        counts[i] = (counts[i] ?? 0) + 1;
      }
      batch.forEach((p, i) => {
        p.resolve(counts[i] ?? 0);
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
