/**
 * What a group's application content does once it is decrypted and its sender authenticated by MLS (the
 * same content encoding as 1:1, ADR 0018): a text or file becomes a message of the conversation `#<hex>`
 * (outgoing when one of this account's other devices sent it), a receipt moves the status of the messages
 * it names, a typing indicator is shown while fresh. Group content never names a conversation (`to`), and
 * the 1:1 syncs (block, device name) have no place in a group: such content is ignored.
 */

import type { Content } from '../content.js';
import type { Ctx } from '../context.js';
import { messageIdToString, statusOps } from '../history.js';
import { type Emit, incomingMessageOps } from '../incoming-message.js';
import { outboxKey } from '../receipts.js';
import { TYPING_TTL_MS } from '../receive.js';
import { put, type StoreOp } from '../store/store.js';

export type { Emit } from '../incoming-message.js';

/** Groups with more members than this get no delivery receipts (N members would each answer every message). */
export const GROUP_DELIVERY_RECEIPTS_MAX_MEMBERS = 32;

/**
 * Adds to `ops` and `emits` what `c` from `from` means for group conversation `conversation`. Returns true
 * when a delivery receipt is now owed.
 */
export async function groupContentOps(
  ctx: Ctx,
  input: {
    conversation: string;
    from: { account: string; deviceId: number };
    serverTime: number;
    members: number;
    content: Content;
  },
  ops: StoreOp[],
  emits: Emit[],
): Promise<boolean> {
  const { conversation, from, content: c } = input;
  if (c.to !== undefined) return false;
  const fromSelf = from.account === ctx.profile.account;
  if (c.t === 'typing') {
    if (!fromSelf && ctx.clock.now() - input.serverTime <= TYPING_TTL_MS) {
      emits.push([
        'typing',
        { conversation, account: from.account, deviceId: from.deviceId, typing: c.typing },
      ]);
    }
    return false;
  }
  if (c.t === 'text' || c.t === 'file') {
    const m = await incomingMessageOps(ctx, conversation, from, fromSelf, c, ops, emits);
    if (m === undefined) return false;
    if (fromSelf || input.members > GROUP_DELIVERY_RECEIPTS_MAX_MEMBERS) return false;
    ops.push(put('outbox', outboxKey(conversation, m.id), new Uint8Array(0)));
    return true;
  }
  if (c.t === 'receipt') {
    // From another member about our messages, or from our own device about messages it read.
    const direction = fromSelf ? 'in' : 'out';
    const ids = c.ids.map(messageIdToString);
    for (const id of ids) {
      const s = await statusOps(ctx.store, conversation, direction, id, c.receipt);
      ops.push(...s.ops);
      if (s.updated !== undefined) emits.push(['message-updated', s.updated]);
    }
    emits.push(['receipt', { conversation, from, kind: c.receipt, messageIds: ids }]);
  }
  return false;
}
