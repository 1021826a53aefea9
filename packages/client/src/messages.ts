/**
 * Sending text messages, resending failed ones, and marking messages read. A message gets a random 16-byte
 * id, the sender's clock and this device's next sequence number; it is stored as `pending` (with the new
 * session states, in one atomic write, before anything leaves; or alone when offline, to go out after the
 * next connect), then marked `sent` once the server stored it, or `failed` when the send was refused: a
 * message is never silently removed from history.
 *
 * A message is only ever encrypted to the identity key its recipient had when it was written (recorded in
 * its outbox entry): when that key changed meanwhile — even if the user has acknowledged the change — the
 * queued message fails with UNTRUSTED_IDENTITY and goes out only through an explicit {@link resendMessage}.
 */

import { equalBytes, SottoError, toHex } from '@sotto/crypto';
import { bytes, type FrameOf, object, optional } from '@sotto/protocol';
import { loadContact } from './contacts.js';
import { MAX_TEXT_CHARS } from './content.js';
import type { Ctx } from './context.js';
import { fanout } from './fanout.js';
import { deleteServerCopy } from './files/server-copy.js';
import { activeGroup } from './groups/active.js';
import { isGroupConversation, parseGroupConversation } from './groups/ids.js';
import { sendToGroup } from './groups/send.js';
import { messageById, messageIdToString, messageOps, statusOps, withStatus } from './history.js';
import { type OutgoingContent, outgoingContent } from './outgoing.js';
import { countersOp, loadCounters } from './profile.js';
import { sendReceipt } from './receipts.js';
import { decodeRecord, encodeRecord } from './records.js';
import { del, put, type StoreOp } from './store/store.js';
import type { Message } from './types.js';

/** The outcome of a send. */
export interface SendResult {
  readonly messageId: string;
  readonly sentAt: number;
  /**
   * True when the message did not reach the server yet: written while offline, or the connection dropped or
   * timed out while it was on its way (it may or may not have arrived). It stays pending on this device and
   * is sent (again, with the same id, so it is delivered once) after the next connect. Do not send it again
   * yourself.
   */
  readonly queued: boolean;
  /**
   * True when the server said the recipient shows as busy (presence) when it stored the message: show it,
   * the message is delivered all the same. Absent otherwise, and for queued messages and file messages.
   */
  readonly recipientBusy?: true;
}

const SEP = '\u0001';

/** An outbox entry of a pending message: the recipient's identity key trusted when it was written. */
const pendingSchema = object({ identityKey: optional(bytes({ length: 32 })) });

/**
 * The `outbox` key marking an outgoing message whose delivery to the server is not confirmed yet. Keys
 * sort by conversation, then by this device's sequence number, so queued messages go out in the order they
 * were written.
 */
function pendingKey(m: Pick<Message, 'conversation' | 'id' | 'seq'>): string {
  return `send${SEP}${m.conversation}${SEP}${String(m.seq).padStart(16, '0')}${SEP}${m.id}`;
}

/** The prefix of the pending keys of one conversation (or of all). */
function pendingPrefix(conversation?: string): string {
  return conversation === undefined ? `send${SEP}` : `send${SEP}${conversation}${SEP}`;
}

function pendingOp(m: Message, identityKey: Uint8Array | undefined): StoreOp {
  return put('outbox', pendingKey(m), encodeRecord(pendingSchema, { identityKey }));
}

/** The identity key recorded in an outbox entry (entries written before it was recorded have none). */
function expectedKey(value: Uint8Array): Uint8Array | undefined {
  if (value.length === 0) return undefined;
  try {
    return decodeRecord(pendingSchema, value).identityKey;
  } catch {
    return undefined;
  }
}

/** True for errors that leave a send's outcome unknown (it stays pending and goes out again). */
function unknownOutcome(err: unknown): boolean {
  return SottoError.is(err, 'TIMEOUT') || SottoError.is(err, 'NOT_CONNECTED');
}

/**
 * The identity key `to` has now; throws UNTRUSTED_IDENTITY while a verified contact's change is pending.
 * A group (`#<hex>`) has none: it must be a group this device is active in (GROUP_NOT_FOUND,
 * NOT_A_GROUP_MEMBER); its members are checked by MLS against their device lists.
 */
export async function currentKey(ctx: Ctx, to: string): Promise<Uint8Array | undefined> {
  if (isGroupConversation(to)) {
    await activeGroup(ctx, toHex(parseGroupConversation(to)));
    return undefined;
  }
  const contact = await loadContact(ctx.store, to);
  if (contact.pendingIdentityKey !== undefined) {
    throw new SottoError(
      'UNTRUSTED_IDENTITY',
      'The identity key of this contact changed; acknowledge it first.',
    );
  }
  return contact.identityKey;
}

/**
 * Sends `text` to `to` (a normalized name); when `online` is false the message is only stored, pending.
 * Throws INVALID_ARGUMENT (too long, oneself), UNTRUSTED_IDENTITY (a verified contact's key changed: nothing
 * is stored), and whatever {@link fanout} throws except an unknown outcome (TIMEOUT or NOT_CONNECTED
 * mid-send), which resolves with `queued: true`; a refused message stays in history as `failed`.
 */
export async function sendText(
  ctx: Ctx,
  to: string,
  text: string,
  online: boolean,
  report: (err: unknown) => void,
): Promise<SendResult> {
  if ([...text].length > MAX_TEXT_CHARS) {
    throw new SottoError('INVALID_ARGUMENT', `A message has at most ${MAX_TEXT_CHARS} characters.`);
  }
  const { message, identityKey, ops } = await draftMessage(ctx, to, text);
  let busy = false;
  const queued = await sendStored(ctx, message, identityKey, {
    online,
    report,
    extraOps: ops,
    onSent: (sent) => {
      busy = sent.recipientBusy === true;
    },
  });
  return { messageId: message.id, sentAt: message.sentAt, queued, ...(busy ? { recipientBusy: true } : {}) };
}

/**
 * A new outgoing message to `to` from this device (pending), with the recipient's identity key now and
 * the operations storing it and the advanced counters. Throws INVALID_ARGUMENT (to oneself) and
 * UNTRUSTED_IDENTITY (a verified contact's key changed).
 */
export async function draftMessage(
  ctx: Ctx,
  to: string,
  text: string,
  extra: Pick<Message, 'file'> = {},
): Promise<{ message: Message; identityKey: Uint8Array | undefined; ops: StoreOp[] }> {
  if (to === ctx.profile.account)
    throw new SottoError('INVALID_ARGUMENT', 'Messages go to a contact, not to oneself.');
  const identityKey = await currentKey(ctx, to);
  const counters = await loadCounters(ctx.store);
  const seq = counters.seq++;
  const sentAt = ctx.clock.now();
  const message: Message = {
    id: messageIdToString(ctx.p.randomBytes(16)),
    conversation: to,
    direction: 'out',
    from: { account: ctx.profile.account, deviceId: ctx.profile.deviceId },
    text,
    sentAt,
    seq,
    receivedAt: sentAt,
    status: 'pending',
    ...extra,
  };
  return { message, identityKey, ops: [...messageOps(message), countersOp(counters)] };
}

/**
 * Sends stored (or, with `extraOps`, about to be stored) pending message `m` to the identity key it was
 * written for: it joins the outbox in the same write as `extraOps`; messages of its conversation still
 * queued go first; offline it only waits there. Resolves true when queued (offline, or the outcome is
 * unknown), false once the server stored it; throws a refusal after recording it as `failed`.
 */
export async function sendStored(
  ctx: Ctx,
  m: Message,
  identityKey: Uint8Array | undefined,
  options: {
    online: boolean;
    report: (err: unknown) => void;
    extraOps?: readonly StoreOp[];
    /** The content, when the store does not hold all it is made of yet (it is in `extraOps`). */
    content?: OutgoingContent;
    /** Called with the server's answer once it stored the message. */
    onSent?: (sent: FrameOf<'sent'>) => void;
  },
): Promise<boolean> {
  const first = [...(options.extraOps ?? []), pendingOp(m, identityKey)];
  let online = options.online;
  // Messages of this conversation still queued go first, in order; if they cannot, this one waits too.
  if (
    online &&
    (await ctx.store.list('outbox', { prefix: pendingPrefix(m.conversation), limit: 1 })).length > 0
  ) {
    online = await resendPending(ctx, options.report, m.conversation);
  }
  if (!online) {
    await ctx.store.write(first);
    return true;
  }
  return deliver(ctx, m, first, identityKey, options.content, options.onSent);
}

/**
 * Fans `m` out, encrypting only to `identityKey` when one is given, and records the outcome: `sent` once
 * the server stored it; `failed` (with the code) when refused; still pending after a timeout or a dropped
 * connection. `first` (the pending message and its outbox entry) is stored in any case. Resolves true when
 * the outcome is unknown (queued), throws the refusal.
 */
async function deliver(
  ctx: Ctx,
  m: Message,
  first: StoreOp[],
  identityKey: Uint8Array | undefined,
  given?: OutgoingContent,
  onSent?: (sent: FrameOf<'sent'>) => void,
): Promise<boolean> {
  const to = m.conversation;
  try {
    const content = given ?? (await outgoingContent(ctx, m));
    if (isGroupConversation(to)) {
      // One encryption for the whole group; our other devices are members and get it too.
      await sendToGroup(ctx, to, content(false), ctx.groupHooks, first);
    } else {
      const sent = await fanout(ctx, {
        to,
        ...(identityKey === undefined ? {} : { identityKey }),
        plaintextFor: (t) => content(t.own),
        extraOps: first,
      });
      onSent?.(sent);
    }
  } catch (err) {
    if (unknownOutcome(err)) {
      // fanout may have failed before its first write: make sure the pending message is stored.
      if (first.length > 0) await ctx.store.write(first);
      return true;
    }
    await fail(ctx, m, first, err);
    throw err;
  }
  const s = await statusOps(ctx.store, to, 'out', m.id, 'sent');
  await ctx.store.write([...s.ops, del('outbox', pendingKey(m))]);
  if (s.updated !== undefined) ctx.events.emit('message-updated', s.updated);
  return false;
}

/** Records `m` as failed with the code of `err` (after `first`, which may not be stored yet). */
async function fail(ctx: Ctx, m: Message, first: StoreOp[], err: unknown): Promise<void> {
  const code = SottoError.is(err) ? err.code : 'INTERNAL';
  const { message, op } = withStatus(m, 'failed', code);
  await ctx.store.write([...first, op, del('outbox', pendingKey(m))]);
  ctx.events.emit('message-updated', message);
  // A file message that will not go out: its upload need not wait on the server to expire.
  if (m.file !== undefined) void deleteServerCopy(ctx, m.id);
}

/**
 * Sends again every outgoing message (of `conversation`, or of all) whose delivery was not confirmed, in the
 * order they were written. A message whose recipient's identity key is no longer the one it was written
 * for fails (UNTRUSTED_IDENTITY) instead. Resolves false when it stopped because the connection is gone
 * (the rest stays queued), true otherwise; refusals are reported.
 */
export async function resendPending(
  ctx: Ctx,
  report: (err: unknown) => void,
  conversation?: string,
): Promise<boolean> {
  for (const [key, value] of await ctx.store.list('outbox', { prefix: pendingPrefix(conversation) })) {
    const id = key.split(SEP).at(-1);
    const m = id === undefined ? undefined : await messageById(ctx.store, id);
    if (m === undefined || m.status !== 'pending') {
      await ctx.store.write([del('outbox', key)]);
      continue;
    }
    // An entry written before keys carried the sequence number moves to its ordered key.
    if (key !== pendingKey(m))
      await ctx.store.write([del('outbox', key), put('outbox', pendingKey(m), value)]);
    const expected = expectedKey(value);
    try {
      const now = await currentKey(ctx, m.conversation);
      if (expected !== undefined && (now === undefined || !equalBytes(now, expected))) {
        throw new SottoError(
          'UNTRUSTED_IDENTITY',
          'The identity key of this contact changed after the message was written; resend it explicitly.',
        );
      }
    } catch (err) {
      await fail(ctx, m, [], err);
      report(err);
      continue;
    }
    try {
      if (await deliver(ctx, m, [], expected)) return false; // offline again: the rest waits too
    } catch (err) {
      report(err);
    }
  }
  return true;
}

/**
 * Marks every pending message to `conversation` that was written for another identity key than `key` as
 * failed (UNTRUSTED_IDENTITY), so it never goes out automatically under the new key.
 */
export async function failPendingFor(ctx: Ctx, conversation: string, key: Uint8Array): Promise<void> {
  for (const [entry, value] of await ctx.store.list('outbox', { prefix: pendingPrefix(conversation) })) {
    const expected = expectedKey(value);
    if (expected === undefined || equalBytes(expected, key)) continue;
    const m = await messageById(ctx.store, entry.split(SEP).at(-1) ?? '');
    if (m === undefined || m.status !== 'pending') {
      await ctx.store.write([del('outbox', entry)]);
      continue;
    }
    await fail(
      ctx,
      m,
      [del('outbox', entry)],
      new SottoError('UNTRUSTED_IDENTITY', 'The identity key changed.'),
    );
  }
}

/**
 * Sends a failed message again, to the recipient's current identity key, when the user asks for it.
 * Throws MESSAGE_NOT_FOUND (no such outgoing message of this device), INVALID_ARGUMENT (it did not fail),
 * UNTRUSTED_IDENTITY (a verified contact's change is still pending) and the refusals of a send; resolves
 * with `queued: true` when offline (it goes out after the next connect).
 */
export async function resendMessage(ctx: Ctx, id: string, online: boolean): Promise<SendResult> {
  const m = await messageById(ctx.store, id);
  if (m === undefined || m.direction !== 'out' || m.from.deviceId !== ctx.profile.deviceId) {
    throw new SottoError('MESSAGE_NOT_FOUND', 'No message of this device has this id.');
  }
  if (m.status !== 'failed') throw new SottoError('INVALID_ARGUMENT', 'Only a failed message can be resent.');
  const identityKey = await currentKey(ctx, m.conversation);
  const { message, op } = withStatus(m, 'pending');
  const first = [op, pendingOp(message, identityKey)];
  ctx.events.emit('message-updated', message);
  if (!online) {
    await ctx.store.write(first);
    return { messageId: m.id, sentAt: m.sentAt, queued: true };
  }
  let busy = false;
  const queued = await deliver(ctx, message, first, identityKey, undefined, (sent) => {
    busy = sent.recipientBusy === true;
  });
  return { messageId: m.id, sentAt: m.sentAt, queued, ...(busy ? { recipientBusy: true } : {}) };
}

/** Marks incoming messages of `conversation` read here and tells the sender (and our other devices). */
export async function markMessagesRead(
  ctx: Ctx,
  conversation: string,
  ids: readonly string[],
): Promise<void> {
  const ops: StoreOp[] = [];
  const updated: Message[] = [];
  for (const id of ids) {
    const s = await statusOps(ctx.store, conversation, 'in', id, 'read');
    ops.push(...s.ops);
    if (s.updated !== undefined) updated.push(s.updated);
  }
  if (ops.length > 0) await ctx.store.write(ops);
  for (const m of updated) ctx.events.emit('message-updated', m);
  await sendReceipt(ctx, conversation, 'read', ids);
}

/** The operation dropping `m`'s outbox entry, if it has one (when it is deleted from history). */
export function pendingDeletion(m: Message): StoreOp[] {
  return [del('outbox', pendingKey(m))];
}
