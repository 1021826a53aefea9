/**
 * The receive path (DESIGN §5): for each envelope, drop it if its id was already processed; decrypt it in
 * the sender device's session (or accept a new handshake); check the sender's identity key (trust on first
 * use, verified contacts held back on change) and that the sending device is on the sender's current,
 * identity-signed device list; decode the content; store the new session state, the message and the
 * envelope id in ONE atomic write; only then acknowledge. An envelope that can never be decrypted
 * (tampered, replayed, re-routed), or that comes from a revoked or uncertified device or from an account
 * this account blocked, is recorded and acknowledged, never shown.
 */

import { equalBytes, type SessionState, SottoError } from '@sotto/crypto';
import type { FrameOf } from '@sotto/protocol';
import { contactOp, isBlocked, loadContact, toContact } from './contacts.js';
import { type Content, decodeContent, isCallContent } from './content.js';
import type { Ctx } from './context.js';
import { learnedNameOps } from './device-names.js';
import { refreshDevices, storedDevices } from './directory.js';
import { processedOp, wasProcessed } from './envelopes.js';
import { messageIdToString, statusOps } from './history.js';
import { type Emit, incomingMessageOps } from './incoming-message.js';
import { consumedPrekeyOps, prekeySecrets } from './prekeys.js';
import { localDevice } from './profile.js';
import { outboxKey } from './receipts.js';
import { decryptFrom, sessionsOp } from './sessions.js';
import { put, type StoreOp } from './store/store.js';
import { checkIdentity } from './trust.js';

/** A typing indicator older than this (by the server's receive time) is stale and not shown. */
export const TYPING_TTL_MS = 20_000;

/** What the receive path asks of the client after the write. */
export interface ReceiveHooks {
  /** Acknowledge a stored envelope to the server. */
  readonly ack: (envelopeId: Uint8Array) => void;
  /** Delivery receipts were added to the outbox: send them soon. */
  readonly delivered: () => void;
  /** An own device we had not heard from told us its name: tell it ours. */
  readonly announceName: () => void;
}

/** Handles one envelope; never throws for bad input (it reports an `error` event instead). */
export async function receiveEnvelope(
  ctx: Ctx,
  env: FrameOf<'envelope'>,
  hooks: ReceiveHooks,
): Promise<void> {
  if (await wasProcessed(ctx.store, env.envelopeId)) {
    hooks.ack(env.envelopeId);
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
    await drop(ctx, env, [done], hooks, err);
    return;
  }
  const stateOps: StoreOp[] = [done, sessionsOp(from.account, from.deviceId, decrypted.states)];
  if (decrypted.accepted !== undefined) stateOps.push(...consumedPrekeyOps(decrypted.accepted));
  const self = ctx.profile.account;
  if (from.account !== self && isBlocked(await loadContact(ctx.store, from.account))) {
    // Blocked here: whatever the server delivers is consumed (the session stays in step) and never shown.
    await ctx.store.write(stateOps);
    hooks.ack(env.envelopeId);
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
  const listed = await senderListed(ctx, decrypted.state);
  if (listed === 'unknown') return; // the list could not be fetched now: the envelope comes again
  if (listed === 'no') {
    await drop(ctx, env, stateOps, hooks, new SottoError('UNKNOWN_SENDER_DEVICE'));
    return;
  }
  let content: Content;
  try {
    content = decodeContent(decrypted.plaintext);
  } catch (err) {
    await drop(ctx, env, stateOps, hooks, err);
    return;
  }
  const ops: StoreOp[] = [...stateOps];
  const emits: Emit[] = [];
  const followUps: Array<() => void> = [];
  await handleContent(ctx, env, content, ops, emits, followUps, hooks);
  await ctx.store.write(ops);
  hooks.ack(env.envelopeId);
  for (const [event, payload] of emits) ctx.events.emit(event, payload as never);
  for (const f of followUps) f();
}

/**
 * Whether the device that `state` speaks with is on its account's current device list, certified by the
 * identity key with the same signing and DH keys: checked against the stored verified list, then against a
 * freshly fetched one (a device added since). `'unknown'` when the list cannot be fetched now.
 */
async function senderListed(ctx: Ctx, state: SessionState): Promise<'yes' | 'no' | 'unknown'> {
  const { accountName: account, deviceId } = state.remote;
  const matches = (d: Awaited<ReturnType<typeof storedDevices>>): boolean => {
    const cert = d?.certified.get(deviceId);
    return (
      d !== undefined &&
      cert !== undefined &&
      equalBytes(d.identityKey, state.remote.identityKey) &&
      equalBytes(cert.signingKey, state.remote.signingKey) &&
      equalBytes(cert.dhKey, state.remote.dhKey)
    );
  };
  if (matches(await storedDevices(ctx, account).catch(() => undefined))) return 'yes';
  try {
    return matches(await refreshDevices(ctx, account)) ? 'yes' : 'no';
  } catch (err) {
    // A list that does not verify (forged, rolled back, another account's) vouches for nobody; anything
    // else (offline, timeout, rate limit, a verified contact's key change on hold) is decided later.
    const refused = ['INVALID_SIGNATURE', 'DEVICE_LIST_REJECTED', 'MALFORMED_ENCODING', 'WRONG_KEY_TYPE'];
    return SottoError.is(err) && refused.includes(err.code) ? 'no' : 'unknown';
  }
}

async function drop(
  ctx: Ctx,
  env: FrameOf<'envelope'>,
  ops: StoreOp[],
  hooks: ReceiveHooks,
  err: unknown,
): Promise<void> {
  await ctx.store.write(ops);
  hooks.ack(env.envelopeId);
  const code = SottoError.is(err) ? err.code : 'INTERNAL';
  const message = SottoError.is(err, 'UNKNOWN_SENDER_DEVICE')
    ? 'A message from a device that is not on the sender’s signed device list was refused.'
    : 'An incoming envelope could not be decrypted and was dropped.';
  ctx.events.emit('error', { code, message });
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
  if (c.t === 'device-name') {
    // Sync between one's own devices only.
    if (!fromSelf) return;
    const learned = await learnedNameOps(ctx.store, env.from.deviceId, c.name);
    ops.push(...learned.ops);
    if (learned.name !== '')
      emits.push(['device-named', { deviceId: env.from.deviceId, name: learned.name }]);
    if (learned.firstHeard) followUps.push(() => hooks.announceName());
    return;
  }
  // Own devices always say which conversation they mean; contacts never may.
  if (fromSelf !== (c.to !== undefined) || c.to === self) return;
  const conversation = c.to ?? env.from.account;
  const from = { account: env.from.account, deviceId: env.from.deviceId };
  if (c.t === 'block') {
    const r = await loadContact(ctx.store, conversation);
    r.blocked = c.blocked;
    ops.push(contactOp(conversation, r));
    emits.push([
      'contact-event',
      {
        kind: c.blocked ? 'block' : 'unblock',
        account: conversation,
        state: toContact(conversation, r).state,
      },
    ]);
    return;
  }
  if (isCallContent(c)) {
    // Ephemeral: nothing is stored. Only accepted contacts (and our own devices) may ring this device.
    if (!fromSelf && (await loadContact(ctx.store, from.account)).state !== 'accepted') return;
    const signal = { content: c, from, fromSelf, serverTime: env.serverTime };
    followUps.push(() => ctx.onCallSignal?.(signal));
    return;
  }
  if (c.t === 'typing') {
    if (!fromSelf && ctx.clock.now() - env.serverTime <= TYPING_TTL_MS)
      emits.push([
        'typing',
        { conversation, account: from.account, deviceId: from.deviceId, typing: c.typing },
      ]);
    return;
  }
  if (c.t === 'text' || c.t === 'file') {
    const m = await incomingMessageOps(ctx, conversation, from, fromSelf, c, ops, emits);
    if (m === undefined) return;
    if (!fromSelf) {
      ops.push(put('outbox', outboxKey(conversation, m.id), new Uint8Array(0)));
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
    if (s.updated !== undefined) emits.push(['message-updated', s.updated]);
  }
  emits.push(['receipt', { conversation, from, kind: c.receipt, messageIds: ids }]);
}
