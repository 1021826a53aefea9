/**
 * The receive path (DESIGN §5): for each envelope, drop it if its id was already processed; decrypt it in
 * the sender device's session (or accept a new handshake); check the sender's identity key (trust on first
 * use, verified contacts held back on change); decode the content; store the new session state, the
 * message and the envelope id in ONE atomic write; only then acknowledge. An envelope that can never be
 * decrypted (tampered, replayed, re-routed) is recorded and acknowledged, never shown.
 */

import { SottoError } from '@sotto/crypto';
import type { FrameOf } from '@sotto/protocol';
import { type Content, decodeContent } from './content.js';
import type { Ctx } from './context.js';
import { processedOp, wasProcessed } from './envelopes.js';
import { messageById, messageIdToString, messageOps, statusOps } from './history.js';
import { consumedPrekeyOps, prekeySecrets } from './prekeys.js';
import { localDevice } from './profile.js';
import { outboxKey } from './receipts.js';
import { decryptFrom, sessionsOp } from './sessions.js';
import { put, type StoreOp } from './store/store.js';
import { checkIdentity } from './trust.js';
import type { ClientEvents, Message } from './types.js';

/** What the receive path asks of the client after the write. */
export interface ReceiveHooks {
  /** Acknowledge a stored envelope to the server. */
  readonly ack: (envelopeId: Uint8Array) => void;
  /** Delivery receipts were added to the outbox: send them soon. */
  readonly delivered: () => void;
}

type Emit = { [K in keyof ClientEvents]: [K, ClientEvents[K]] }[keyof ClientEvents];

/** Handles one envelope; never throws for bad input (it reports an `error` event instead). */
export async function receiveEnvelope(
  ctx: Ctx,
  env: FrameOf<'envelope'>,
  hooks: ReceiveHooks,
): Promise<void> {
  if (await wasProcessed(ctx.store, env.envelopeId)) {
    if (!env.ephemeral) hooks.ack(env.envelopeId);
    return;
  }
  const done = processedOp(env.envelopeId, ctx.clock.now());
  const from = env.from;
  let decrypted: Awaited<ReturnType<typeof decryptFrom>>;
  try {
    decrypted = await decryptFrom(
      ctx.p,
      ctx.store,
      localDevice(ctx.profile),
      prekeySecrets(ctx.store),
      from.account,
      from.deviceId,
      env.body,
    );
    const remote = decrypted.state.remote;
    // A handshake names its sender in its certificate: it must be the device the server says sent it.
    if (remote.accountName !== from.account || remote.deviceId !== from.deviceId) {
      throw new SottoError('AUTH_FAILED', 'The envelope was re-routed.');
    }
  } catch (err) {
    await drop(ctx, env, done, hooks, err);
    return;
  }
  if (
    decrypted.accepted !== undefined &&
    !(await checkIdentity(ctx, from.account, decrypted.state.remote.identityKey))
  ) {
    // A verified contact's identity key changed: hold the envelope (unacknowledged) until the user decides.
    ctx.events.emit('error', {
      code: 'UNTRUSTED_IDENTITY',
      message: 'A message under a changed identity key is held back.',
    });
    return;
  }
  let content: Content;
  try {
    content = decodeContent(decrypted.plaintext);
  } catch (err) {
    await drop(ctx, env, done, hooks, err);
    return;
  }
  const ops: StoreOp[] = [done];
  ops.push(sessionsOp(from.account, from.deviceId, decrypted.states));
  if (decrypted.accepted !== undefined) ops.push(...consumedPrekeyOps(decrypted.accepted));
  const emits: Emit[] = [];
  const followUps: Array<() => void> = [];
  await handleContent(ctx, env, content, ops, emits, followUps, hooks);
  await ctx.store.write(ops);
  if (!env.ephemeral) hooks.ack(env.envelopeId);
  for (const [event, payload] of emits) ctx.events.emit(event, payload as never);
  for (const f of followUps) f();
}

async function drop(
  ctx: Ctx,
  env: FrameOf<'envelope'>,
  done: StoreOp,
  hooks: ReceiveHooks,
  err: unknown,
): Promise<void> {
  await ctx.store.write([done]);
  if (!env.ephemeral) hooks.ack(env.envelopeId);
  const code = SottoError.is(err) ? err.code : 'INTERNAL';
  ctx.events.emit('error', { code, message: 'An incoming envelope could not be decrypted and was dropped.' });
}

async function handleContent(
  ctx: Ctx,
  env: FrameOf<'envelope'>,
  c: Content,
  ops: StoreOp[],
  emits: Emit[],
  followUps: Array<() => void>,
  hooks: ReceiveHooks,
): Promise<void> {
  const self = ctx.profile.account;
  const fromSelf = env.from.account === self;
  // Own devices always say which conversation they mean; contacts never may.
  if (fromSelf !== (c.to !== undefined) || c.to === self) return;
  const conversation = c.to ?? env.from.account;
  const from = { account: env.from.account, deviceId: env.from.deviceId };
  if (c.t === 'typing') {
    if (!fromSelf)
      emits.push(['typing', { account: from.account, deviceId: from.deviceId, typing: c.typing }]);
    return;
  }
  if (c.t === 'text') {
    const id = messageIdToString(c.id);
    if ((await messageById(ctx.store, id)) !== undefined) return;
    const m: Message = {
      id,
      conversation,
      direction: fromSelf ? 'out' : 'in',
      from,
      text: c.text,
      sentAt: c.sentAt,
      seq: c.seq,
      receivedAt: ctx.clock.now(),
      status: fromSelf ? 'sent' : 'delivered',
    };
    ops.push(...messageOps(m));
    emits.push(['message', m]);
    if (!fromSelf) {
      ops.push(put('outbox', outboxKey(conversation, id), new Uint8Array(0)));
      followUps.push(() => hooks.delivered());
    }
    return;
  }
  // A receipt: from a contact about our messages, or from our own device about messages it read.
  const direction = fromSelf ? 'in' : 'out';
  const ids = c.ids.map(messageIdToString);
  for (const id of ids) {
    const s = await statusOps(ctx.store, conversation, direction, id, c.receipt);
    ops.push(...s.ops);
  }
  emits.push(['receipt', { conversation, from, kind: c.receipt, messageIds: ids }]);
}
