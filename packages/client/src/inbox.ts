/**
 * The inbox: for clients that report messages once each (the terminal client's `receive`), every message
 * the receive path stores also enters a durable queue in arrival order, in the same atomic write. The
 * caller reads it and clears what it reported, so a message received while another command ran is still
 * reported later, exactly once. Off unless the client was created with `inbox: true`.
 */

import { decodeCbor, encodeCbor } from '@sotto/protocol';
import { messageById } from './history.js';
import { type ClientStore, del, put, type StoreOp } from './store/store.js';
import type { Message } from './types.js';

const SEQ_KEY = 'inbox-seq';
const pad = (n: number) => String(n).padStart(16, '0');

async function nextSeq(store: ClientStore): Promise<number> {
  const raw = await store.get('meta', SEQ_KEY);
  const v = raw === undefined ? 0 : decodeCbor(raw, { maxDepth: 1 });
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0;
}

/** The operations putting message `id` at the end of the inbox. */
export async function inboxOps(store: ClientStore, id: string): Promise<StoreOp[]> {
  const seq = await nextSeq(store);
  return [put('inbox', pad(seq), new TextEncoder().encode(id)), put('meta', SEQ_KEY, encodeCbor(seq + 1))];
}

/** Up to `limit` inbox messages, oldest arrival first (entries whose message was deleted are skipped). */
export async function readInbox(store: ClientStore, limit?: number): Promise<Message[]> {
  const out: Message[] = [];
  const stale: StoreOp[] = [];
  for (const [key, value] of await store.list('inbox')) {
    if (limit !== undefined && out.length >= limit) break;
    const m = await messageById(store, new TextDecoder().decode(value));
    if (m === undefined) stale.push(del('inbox', key));
    else out.push(m);
  }
  if (stale.length > 0) await store.write(stale);
  return out;
}

/** Removes the messages `ids` from the inbox (reported); unknown ids are ignored. */
export async function clearInbox(store: ClientStore, ids: readonly string[]): Promise<void> {
  const wanted = new Set(ids);
  const ops: StoreOp[] = [];
  for (const [key, value] of await store.list('inbox')) {
    if (wanted.has(new TextDecoder().decode(value))) ops.push(del('inbox', key));
  }
  if (ops.length > 0) await store.write(ops);
}

/** The operations removing message `id` from the inbox, if it is there. */
export async function inboxDeletion(store: ClientStore, id: string): Promise<StoreOp[]> {
  const ops: StoreOp[] = [];
  for (const [key, value] of await store.list('inbox')) {
    if (new TextDecoder().decode(value) === id) ops.push(del('inbox', key));
  }
  return ops;
}
