/**
 * The receive path of groups (ADR 0018): an envelope carries a Welcome, a commit, or an application
 * message (or a proposal). What the server says about it (`group.kind`, `group.epoch`, `from`) is only a
 * hint; the MLS message decides. Each is verified in full before anything is stored, then stored with
 * the envelope id in ONE write, then acknowledged. Anything refused is recorded and acknowledged with the
 * state unchanged, and reported as an `error` event (MLS_INVALID, GROUP_CREDENTIAL_INVALID,
 * NOT_GROUP_ADMIN). A message of an epoch this device has not reached is held until its commit comes
 * (fetched from the log at once; GROUP_COMMIT_MISSING while it does not).
 */

import {
  decodeMls,
  joinMlsGroup,
  peekMlsMessage,
  peekWelcome,
  processMlsMessage,
  SottoError,
  stateDelta,
  stateEpoch,
  toHex,
  treeMembers,
} from '@sotto/crypto';
import type { FrameOf } from '@sotto/protocol';
import { isBlocked, loadContact } from '../contacts.js';
import { type Content, decodeContent } from '../content.js';
import type { Ctx } from '../context.js';
import { processedOp, wasProcessed } from '../envelopes.js';
import type { StoreOp } from '../store/store.js';
import { groupDeps, isActive } from './active.js';
import { applyCommit, commitApplied, commitDigest, seenCommit } from './apply.js';
import { catchUp, transient } from './catch-up.js';
import { type Emit, groupContentOps } from './content.js';
import { heldMessages, holdOp, releaseOp } from './held.js';
import { groupConversation } from './ids.js';
import { consumedKeyPackageOps, findKeyPackage } from './key-packages.js';
import { recordOf } from './record.js';
import { loadGroup, saveGroup } from './state-store.js';

/** What the group receive path asks of the client. */
export interface GroupReceiveHooks {
  /** Acknowledge a stored envelope to the server. */
  readonly ack: (envelopeId: Uint8Array) => void;
  /** Delivery receipts were added to the outbox: send them soon. */
  readonly delivered: () => void;
  /** Group `hex` has proposals pending (a member is leaving): commit them if this device should. */
  readonly proposals: (hex: string) => void;
  /** Group `hex` changed members: bring this account's devices in line (see reconcile.ts). */
  readonly changed: (hex: string) => void;
  /** Reports an error as an `error` event about group `hex` (its 32 hex digits), when known. */
  readonly report: (err: unknown, hex?: string) => void;
}

type Envelope = FrameOf<'envelope'>;

function emitAll(ctx: Ctx, emits: Emit[]): void {
  for (const [event, payload] of emits) ctx.events.emit(event, payload as never);
}

function refusal(err: unknown): SottoError {
  return SottoError.is(err) ? err : new SottoError('MLS_INVALID', 'A group message could not be processed.');
}

/** Handles one group envelope; never throws (problems are reported). */
export async function receiveGroupEnvelope(ctx: Ctx, env: Envelope, hooks: GroupReceiveHooks): Promise<void> {
  if (await wasProcessed(ctx.store, env.envelopeId)) {
    hooks.ack(env.envelopeId);
    return;
  }
  const done = processedOp(env.envelopeId, ctx.clock.now());
  // The group the refusal is about: the message's (a Welcome's is unknown until it is opened).
  let about: string | undefined;
  const drop = async (err?: unknown) => {
    await ctx.store.write([done]);
    hooks.ack(env.envelopeId);
    if (err !== undefined) hooks.report(refusal(err), about);
  };
  try {
    const m = decodeMls(env.body);
    if (m.wireformat === 'mls_welcome') {
      await onWelcome(ctx, env, done, hooks);
      return;
    }
    if (m.wireformat !== 'mls_private_message')
      throw new SottoError('MLS_INVALID', 'Not an encrypted group message.');
    const hex = toHex(m.privateMessage.groupId);
    about = hex;
    if (m.privateMessage.contentType === 'commit') await onCommit(ctx, hex, env, done, hooks);
    else await onMessage(ctx, hex, env, done, hooks);
  } catch (err) {
    if (transient(err)) return; // not acknowledged: it comes again after the next connect
    await drop(err);
  }
}

async function onWelcome(ctx: Ctx, env: Envelope, done: StoreOp, hooks: GroupReceiveHooks): Promise<void> {
  const info = peekWelcome(env.body);
  const kp = await findKeyPackage(ctx, info.refs);
  if (kp === undefined) throw new SottoError('MLS_INVALID', 'A Welcome for no KeyPackage of this device.');
  const state = await joinMlsGroup(groupDeps(ctx, info.suite), {
    welcome: env.body,
    keyPackage: kp.bytes,
    secrets: kp.secrets,
    signingSeed: ctx.profile.device.signing.secretKey,
  });
  const hex = toHex(state.groupContext.groupId);
  const existing = await loadGroup(ctx, hex);
  if (isActive(existing)) {
    await ctx.store.write([done, ...consumedKeyPackageOps(kp)]);
    hooks.ack(env.envelopeId);
    return;
  }
  // The server names the adding device; it counts only if that device is in the tree the members signed.
  const members = treeMembers(state.ratchetTree);
  const adder = members.find((m) => m.account === env.from.account && m.deviceId === env.from.deviceId);
  const record = recordOf(state, {
    suite: info.suite,
    status: 'active',
    joinedAt: ctx.clock.now(),
    by: adder?.account,
  });
  const save = await saveGroup(ctx, hex, existing, { record, state });
  await ctx.store.write([done, ...consumedKeyPackageOps(kp), ...save.ops]);
  save.done();
  hooks.ack(env.envelopeId);
  const by = adder?.account ?? record.admins[0] ?? '';
  ctx.events.emit('group', { id: groupConversation(state.groupContext.groupId), kind: 'joined', by });
  hooks.changed(hex);
}

async function onCommit(
  ctx: Ctx,
  hex: string,
  env: Envelope,
  done: StoreOp,
  hooks: GroupReceiveHooks,
): Promise<void> {
  const a = await applyCommit(ctx, hex, env.body);
  if (a.kind === 'applied') {
    await commitApplied(ctx, a, [done]);
    hooks.ack(env.envelopeId);
    await afterEpoch(ctx, hex, hooks);
    if (a.record.status === 'active') hooks.changed(hex);
    return;
  }
  if (a.kind === 'ahead') {
    await ctx.store.write([done, holdOp(hex, env.envelopeId, a.epoch, env.body, env.serverTime)]);
    hooks.ack(env.envelopeId);
    await recover(ctx, hex, hooks);
    return;
  }
  await ctx.store.write([done]);
  hooks.ack(env.envelopeId);
  if (a.kind === 'old') {
    const g = await loadGroup(ctx, hex);
    const known = g !== undefined && seenCommit(g.record, await commitDigest(ctx, env.body));
    if (!known)
      hooks.report(new SottoError('MLS_INVALID', 'A commit of a past epoch was refused (replayed).'), hex);
  }
}

async function onMessage(
  ctx: Ctx,
  hex: string,
  env: Envelope,
  done: StoreOp,
  hooks: GroupReceiveHooks,
): Promise<void> {
  const g = await loadGroup(ctx, hex);
  if (!isActive(g)) {
    await ctx.store.write([done]);
    hooks.ack(env.envelopeId);
    return;
  }
  const header = peekMlsMessage(env.body);
  if (header.epoch > stateEpoch(g.state)) {
    await ctx.store.write([done, holdOp(hex, env.envelopeId, header.epoch, env.body, env.serverTime)]);
    hooks.ack(env.envelopeId);
    await recover(ctx, hex, hooks);
    return;
  }
  const ops = await messageOps(ctx, hex, env.body, env.serverTime, hooks);
  await ctx.store.write([done, ...ops.ops]);
  ops.done();
  hooks.ack(env.envelopeId);
  emitAll(ctx, ops.emits);
  ops.after();
}

/**
 * Decrypts and handles one application message or proposal of the current epoch, returning what to write
 * (with `done()` to call after the write, the events, and follow-ups). Throws a refusal or a transient
 * error; nothing is changed then.
 */
async function messageOps(
  ctx: Ctx,
  hex: string,
  body: Uint8Array,
  serverTime: number,
  hooks: GroupReceiveHooks,
): Promise<{ ops: StoreOp[]; done: () => void; emits: Emit[]; after: () => void }> {
  const g = await loadGroup(ctx, hex);
  if (!isActive(g)) return { ops: [], done: () => undefined, emits: [], after: () => undefined };
  const r = await processMlsMessage(groupDeps(ctx, g.record.suite), g.state, body);
  if (r.kind === 'commit') throw new SottoError('MLS_INVALID', 'A commit in a message envelope.');
  const save = await saveGroup(
    ctx,
    hex,
    g,
    { record: g.record, state: r.state },
    r.kind === 'application' ? stateDelta(g.state, r.state, [r.sender.leafIndex * 2]) : { kind: 'base' },
  );
  const ops = [...save.ops];
  const emits: Emit[] = [];
  let after: () => void = () => undefined;
  if (r.kind === 'proposal') {
    after = () => hooks.proposals(hex);
  } else {
    const blocked =
      r.sender.account !== ctx.profile.account && isBlocked(await loadContact(ctx.store, r.sender.account));
    let content: Content | undefined;
    try {
      content = decodeContent(r.plaintext);
    } catch (err) {
      hooks.report(refusal(err), hex);
    }
    if (content !== undefined && !blocked) {
      const owed = await groupContentOps(
        ctx,
        {
          conversation: groupConversation(g.state.groupContext.groupId),
          from: r.sender,
          serverTime,
          members: g.record.members.length,
          content,
        },
        ops,
        emits,
      );
      if (owed) after = () => hooks.delivered();
    }
  }
  return { ops, done: save.done, emits, after };
}

/** After a new epoch: the held messages of it are processed, in order. */
async function afterEpoch(ctx: Ctx, hex: string, hooks: GroupReceiveHooks): Promise<void> {
  for (const m of await heldMessages(ctx, hex)) {
    const g = await loadGroup(ctx, hex);
    if (!isActive(g)) return;
    const epoch = stateEpoch(g.state);
    if (m.epoch > epoch) return;
    if (m.epoch < epoch) {
      await ctx.store.write([releaseOp(m)]);
      continue;
    }
    try {
      if (peekMlsMessage(m.body).contentType === 'commit') {
        const a = await applyCommit(ctx, hex, m.body);
        if (a.kind === 'applied') {
          await commitApplied(ctx, a, [releaseOp(m)]);
          if (a.record.status === 'active') hooks.changed(hex);
          continue;
        }
        await ctx.store.write([releaseOp(m)]);
        continue;
      }
      const ops = await messageOps(ctx, hex, m.body, m.serverTime, hooks);
      await ctx.store.write([releaseOp(m), ...ops.ops]);
      ops.done();
      emitAll(ctx, ops.emits);
      ops.after();
    } catch (err) {
      if (transient(err)) return;
      await ctx.store.write([releaseOp(m)]);
      hooks.report(refusal(err), hex);
    }
  }
}

/**
 * Messages of a later epoch arrived: fetch the missing commits from the log and apply them, then process
 * what was held. While the commits do not come (withheld, or offline), the messages wait and
 * GROUP_COMMIT_MISSING is reported.
 */
async function recover(ctx: Ctx, hex: string, hooks: GroupReceiveHooks): Promise<void> {
  try {
    await catchUp(ctx, hex);
  } catch (err) {
    if (!transient(err) && !SottoError.is(err, 'NOT_A_GROUP_MEMBER')) hooks.report(refusal(err), hex);
  }
  await afterEpoch(ctx, hex, hooks);
  const g = await loadGroup(ctx, hex);
  if (!isActive(g)) return;
  const epoch = stateEpoch(g.state);
  if ((await heldMessages(ctx, hex)).some((m) => m.epoch > epoch)) {
    hooks.report(new SottoError('GROUP_COMMIT_MISSING'), hex);
  }
}

/** Processes what is held for `hex` after commits were applied elsewhere (a catch-up before a send). */
export async function releaseHeld(ctx: Ctx, hex: string, hooks: GroupReceiveHooks): Promise<void> {
  await afterEpoch(ctx, hex, hooks);
}
