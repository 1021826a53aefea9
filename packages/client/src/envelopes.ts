/**
 * Processed envelope ids (DESIGN §5 "clients drop duplicates by envelopeId"). Each id is remembered with
 * the time it was processed; ids older than the server's mailbox age limit can never come again and are
 * pruned, at most once a day, after a connect.
 */

import { toHex } from '@sotto/crypto';
import { decodeCbor, encodeCbor } from '@sotto/protocol';
import type { ClientStore, StoreOp } from './store/store.js';
import { del, put } from './store/store.js';

/** How long a processed id is kept: the default mailbox age (30 days) plus a day of margin. */
export const PROCESSED_RETENTION_MS = 31 * 24 * 3600 * 1000;
const PRUNE_EVERY_MS = 24 * 3600 * 1000;

/** True when the envelope was processed already. */
export async function wasProcessed(store: ClientStore, envelopeId: Uint8Array): Promise<boolean> {
  return (await store.get('envelopes', toHex(envelopeId))) !== undefined;
}

/** The operation recording an envelope as processed at `now`. */
export function processedOp(envelopeId: Uint8Array, now: number): StoreOp {
  return put('envelopes', toHex(envelopeId), encodeCbor(now));
}

/** Deletes ids processed before the retention window (at most once a day). Returns how many. */
export async function pruneProcessed(store: ClientStore, now: number): Promise<number> {
  const last = await store.get('meta', 'envelopes-pruned');
  if (last !== undefined && now - Number(decodeCbor(last, { maxDepth: 1 })) < PRUNE_EVERY_MS) return 0;
  const ops: StoreOp[] = [];
  for (const [key, value] of await store.list('envelopes')) {
    const at = decodeCbor(value, { maxDepth: 1 });
    if (typeof at !== 'number' || now - at > PROCESSED_RETENTION_MS) ops.push(del('envelopes', key));
  }
  ops.push(put('meta', 'envelopes-pruned', encodeCbor(now)));
  await store.write(ops);
  return ops.length - 1;
}
