/**
 * Messages that arrived for an epoch this device has not reached (its commit is missing: withheld, lost,
 * or still on its way). They are stored under `h/<hex>/<epoch>/<envelope>` and acknowledged, and are
 * processed once the commit has been applied (ADR 0018 "the messages wait").
 */

import { toHex } from '@sotto/crypto';
import { bytes, object, uint } from '@sotto/protocol';
import type { Ctx } from '../context.js';
import { decodeRecord, encodeRecord } from '../records.js';
import { del, put, type StoreOp } from '../store/store.js';
import { groupKeys } from './state-store.js';

const schema = object({ body: bytes({ max: 32 * 1024 * 1024 }), serverTime: uint(), epoch: uint() });

/** A held message. */
export interface HeldMessage {
  readonly key: string;
  readonly epoch: number;
  readonly body: Uint8Array;
  readonly serverTime: number;
}

/** The operation holding `body` (envelope `envelopeId`, claiming `epoch`) for group `hex`. */
export function holdOp(
  hex: string,
  envelopeId: Uint8Array,
  epoch: number,
  body: Uint8Array,
  serverTime: number,
): StoreOp {
  return put(
    'groups',
    `${groupKeys.held(hex, epoch)}${toHex(envelopeId)}`,
    encodeRecord(schema, { body, serverTime, epoch }),
  );
}

/** The held messages of `hex`, oldest epoch first. */
export async function heldMessages(ctx: Ctx, hex: string): Promise<HeldMessage[]> {
  return (await ctx.store.list('groups', { prefix: groupKeys.held(hex) })).map(([key, raw]) => {
    const r = decodeRecord(schema, raw);
    return { key, epoch: r.epoch, body: r.body, serverTime: r.serverTime };
  });
}

/** The operation dropping a held message. */
export function releaseOp(m: HeldMessage): StoreOp {
  return del('groups', m.key);
}
