/**
 * A commit of this device whose fate is unknown (sent, no answer: the connection dropped or timed out).
 * MLS cannot process one's own commit from the log, so the state it leads to is stored, under `p/<hex>`,
 * before the commit leaves. When the group's log later shows the commit of that epoch, this device adopts
 * the stored state if the logged commit is its own (same bytes), and forgets it otherwise.
 */

import { bytes, object, uint } from '@sotto/protocol';
import type { Ctx } from '../context.js';
import { decodeRecord, encodeRecord } from '../records.js';
import { del, put, type StoreOp } from '../store/store.js';

const schema = object({
  epoch: uint(),
  digest: bytes({ length: 32 }),
  base: bytes({ max: 64 * 1024 * 1024 }),
  record: bytes({ max: 16 * 1024 * 1024 }),
});

/** An own commit in flight. */
export type PendingCommit = ReturnType<typeof schema.check>;

const key = (hex: string) => `p/${hex}`;

/** The operation storing `p`. */
export function pendingCommitOp(hex: string, p: PendingCommit): StoreOp {
  return put('groups', key(hex), encodeRecord(schema, p));
}

/** The operation forgetting the pending commit of `hex`. */
export function clearPendingOp(hex: string): StoreOp {
  return del('groups', key(hex));
}

/** The pending commit of `hex`, if any. */
export async function loadPendingCommit(ctx: Ctx, hex: string): Promise<PendingCommit | undefined> {
  const raw = await ctx.store.get('groups', key(hex));
  return raw === undefined ? undefined : decodeRecord(schema, raw);
}
