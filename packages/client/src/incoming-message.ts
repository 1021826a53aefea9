/**
 * A text or file message arriving in a conversation, 1:1 or group alike: stored once (a second copy of
 * the same id, as a replaying server would send, changes nothing), with its file's record, counted in the
 * durable inbox when the client keeps one, and announced as a `message` event after the write.
 */
import type { Content } from './content.js';
import type { Ctx } from './context.js';
import { receivedFile } from './files/receive.js';
import { messageById, messageIdToString, messageOps } from './history.js';
import { inboxOps } from './inbox.js';
import type { StoreOp } from './store/store.js';
import type { ClientEvents, Message } from './types.js';

/** An event to emit after the write. */
export type Emit = { [K in keyof ClientEvents]: [K, ClientEvents[K]] }[keyof ClientEvents];

/** The content of a message that shows in the history. */
export type MessageContent = Extract<Content, { t: 'text' | 'file' }>;

/**
 * Adds to `ops` and `emits` the message `c` sent by `from` in `conversation` (outgoing when `fromSelf`:
 * one of this account's other devices sent it). Returns the message, or undefined when it was already
 * stored.
 */
export async function incomingMessageOps(
  ctx: Ctx,
  conversation: string,
  from: { readonly account: string; readonly deviceId: number },
  fromSelf: boolean,
  c: MessageContent,
  ops: StoreOp[],
  emits: Emit[],
): Promise<Message | undefined> {
  const id = messageIdToString(c.id);
  if ((await messageById(ctx.store, id)) !== undefined) return undefined;
  const file = c.t === 'file' ? receivedFile(id, c) : undefined;
  const m: Message = {
    id,
    conversation,
    direction: fromSelf ? 'out' : 'in',
    from: { account: from.account, deviceId: from.deviceId },
    text: c.t === 'text' ? c.text : (file?.text ?? ''),
    sentAt: c.sentAt,
    seq: c.seq,
    receivedAt: ctx.clock.now(),
    status: fromSelf ? 'sent' : 'delivered',
    ...(file === undefined ? {} : { file: file.file }),
  };
  ops.push(...messageOps(m));
  if (file !== undefined) ops.push(file.op);
  if (ctx.inbox) ops.push(...(await inboxOps(ctx.store, id)));
  emits.push(['message', m]);
  return m;
}
