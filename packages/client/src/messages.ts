/**
 * Sending a text message and marking messages read. A message gets a random 16-byte id, the sender's
 * clock and this device's next sequence number; it is stored as `pending` together with the new session
 * states (one atomic write, before anything leaves), then marked `sent` once the server stored it.
 */

import { SottoError } from '@sotto/crypto';
import { loadContact } from './contacts.js';
import { encodeContent, MAX_TEXT_CHARS } from './content.js';
import type { Ctx } from './context.js';
import { fanout } from './fanout.js';
import {
  deleteMessageOps,
  messageById,
  messageIdFromString,
  messageIdToString,
  messageOps,
  statusOps,
} from './history.js';
import { countersOp, loadCounters } from './profile.js';
import { sendReceipt } from './receipts.js';
import { del, put, type StoreOp } from './store/store.js';
import type { Message } from './types.js';

/** The outcome of a send. */
export interface SendResult {
  readonly messageId: string;
  readonly sentAt: number;
  /**
   * True when the connection dropped or timed out while the message was on its way: it may or may not
   * have reached the server, so it stays pending on this device and is sent again (same id, so it is
   * delivered once) after the next connect. Do not send it again yourself.
   */
  readonly queued: boolean;
}

/**
 * Sends `text` to `to` (a normalized name). Throws INVALID_ARGUMENT (too long, oneself),
 * UNTRUSTED_IDENTITY (a verified contact's key changed), and whatever {@link fanout} throws except an
 * unknown outcome (TIMEOUT or NOT_CONNECTED mid-send), which resolves with `queued: true`.
 */
export async function sendText(ctx: Ctx, to: string, text: string): Promise<SendResult> {
  if ([...text].length > MAX_TEXT_CHARS) {
    throw new SottoError('INVALID_ARGUMENT', `A message has at most ${MAX_TEXT_CHARS} characters.`);
  }
  if (to === ctx.profile.account)
    throw new SottoError('INVALID_ARGUMENT', 'Messages go to a contact, not to oneself.');
  const contact = await loadContact(ctx.store, to);
  if (contact.pendingIdentityKey !== undefined) {
    throw new SottoError(
      'UNTRUSTED_IDENTITY',
      'The identity key of this contact changed; acknowledge it first.',
    );
  }
  const counters = await loadCounters(ctx.store);
  const seq = counters.seq++;
  const id = ctx.p.randomBytes(16);
  const sentAt = ctx.clock.now();
  const message: Message = {
    id: messageIdToString(id),
    conversation: to,
    direction: 'out',
    from: { account: ctx.profile.account, deviceId: ctx.profile.deviceId },
    text,
    sentAt,
    seq,
    receivedAt: sentAt,
    status: 'pending',
  };
  const extraOps: StoreOp[] = [
    ...messageOps(message),
    countersOp(counters),
    put('outbox', pendingKey(message), EMPTY),
  ];
  try {
    await deliver(ctx, message, extraOps);
  } catch (err) {
    // deliver() kept the message pending: resendPending() sends it on the next connect.
    if (SottoError.is(err, 'TIMEOUT') || SottoError.is(err, 'NOT_CONNECTED')) {
      return { messageId: message.id, sentAt, queued: true };
    }
    throw err;
  }
  return { messageId: message.id, sentAt, queued: false };
}

const SEP = '\u0001';
const EMPTY = new Uint8Array(0);

/** The `outbox` key marking an outgoing message whose delivery to the server is not confirmed yet. */
function pendingKey(m: Message): string {
  return `send${SEP}${m.conversation}${SEP}${m.id}`;
}

/**
 * Fans `m` out and records the outcome: `sent` (and no longer pending) once the server stored it; deleted
 * when refused (not a contact, blocked, devices not reconciled…: it did not go); still pending after a
 * timeout or a dropped connection, when the outcome is unknown — {@link resendPending} sends it again
 * (same id, so a receiver that already has it drops the copy).
 */
async function deliver(ctx: Ctx, m: Message, extraOps: StoreOp[]): Promise<void> {
  const to = m.conversation;
  const id = messageIdFromString(m.id);
  try {
    await fanout(ctx, {
      to,
      plaintextFor: (t) =>
        encodeContent({
          t: 'text',
          ...(t.own ? { to } : {}),
          id,
          sentAt: m.sentAt,
          seq: m.seq,
          text: m.text,
        }),
      extraOps,
    });
  } catch (err) {
    if (!SottoError.is(err, 'TIMEOUT') && !SottoError.is(err, 'NOT_CONNECTED')) {
      await ctx.store.write([...deleteMessageOps(m), del('outbox', pendingKey(m))]);
    }
    throw err;
  }
  const s = await statusOps(ctx.store, to, 'out', m.id, 'sent');
  await ctx.store.write([...s.ops, del('outbox', pendingKey(m))]);
}

/** Sends again every outgoing message whose delivery was not confirmed (after a reconnect). */
export async function resendPending(ctx: Ctx, report: (err: unknown) => void): Promise<void> {
  for (const [key] of await ctx.store.list('outbox', { prefix: `send${SEP}` })) {
    const id = key.split(SEP)[2];
    const m = id === undefined ? undefined : await messageById(ctx.store, id);
    if (m === undefined || m.status !== 'pending') {
      await ctx.store.write([del('outbox', key)]);
      continue;
    }
    try {
      await deliver(ctx, m, []);
    } catch (err) {
      if (SottoError.is(err, 'TIMEOUT') || SottoError.is(err, 'NOT_CONNECTED')) return;
      report(err);
    }
  }
}

/** Marks incoming messages of `conversation` read here and tells the sender (and our other devices). */
export async function markMessagesRead(
  ctx: Ctx,
  conversation: string,
  ids: readonly string[],
): Promise<void> {
  const ops: StoreOp[] = [];
  for (const id of ids) ops.push(...(await statusOps(ctx.store, conversation, 'in', id, 'read')).ops);
  if (ops.length > 0) await ctx.store.write(ops);
  await sendReceipt(ctx, conversation, 'read', ids);
}
