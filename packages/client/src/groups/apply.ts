/**
 * Applying a commit from the group's log or an envelope (ADR 0018): it must be of this device's current
 * epoch (an older one is a replay or a duplicate and changes nothing; a later one means commits are
 * missing). It is verified in full before anything is stored: MLS signatures and tags, every new leaf
 * against the verified device lists, the metadata and the admin rules. A commit this device made itself
 * (still pending, see pending.ts) is recognized by its bytes and its stored state adopted.
 */

import {
  decodeGroupBase,
  equalBytes,
  groupClientConfig,
  memberAuthService,
  peekMlsMessage,
  processMlsMessage,
  stateEpoch,
  toHex,
} from '@sotto/crypto';
import type { Ctx } from '../context.js';
import type { StoreOp } from '../store/store.js';
import type { GroupEvent } from '../types.js';
import { type ActiveGroup, groupDeps, isActive } from './active.js';
import { groupEvents } from './changes.js';
import { groupConversation } from './ids.js';
import { clearPendingOp, loadPendingCommit } from './pending.js';
import { decodeGroupRecord, type GroupRecord, recordOf } from './record.js';
import { type GroupSave, loadGroup, saveGroup } from './state-store.js';

/** How a commit went. `applied` carries what to write and report. */
export type Applied =
  | {
      readonly kind: 'applied';
      readonly save: GroupSave;
      readonly events: GroupEvent[];
      readonly record: GroupRecord;
    }
  | { readonly kind: 'old' }
  | { readonly kind: 'ahead'; readonly epoch: number }
  | { readonly kind: 'inactive' };

/** Recent commit digests kept per group, so a duplicate from the log and an envelope is told from a replay. */
const RECENT = 16;

/** The SHA-256 of a commit (hex), as remembered in the record. */
export async function commitDigest(ctx: Ctx, commit: Uint8Array): Promise<Uint8Array> {
  return ctx.p.sha256(commit);
}

function remember(record: GroupRecord, digest: Uint8Array): GroupRecord {
  return { ...record, recent: [...(record.recent ?? []), digest].slice(-RECENT) };
}

/** True when `digest` is one of the commits this group applied lately. */
export function seenCommit(record: GroupRecord, digest: Uint8Array): boolean {
  return (record.recent ?? []).some((d) => equalBytes(d, digest));
}

async function adoptPending(
  ctx: Ctx,
  hex: string,
  g: ActiveGroup,
  commit: Uint8Array,
): Promise<Applied | undefined> {
  const pending = await loadPendingCommit(ctx, hex);
  if (pending === undefined || pending.epoch !== stateEpoch(g.state)) return undefined;
  const digest = await commitDigest(ctx, commit);
  if (!equalBytes(digest, pending.digest)) return undefined;
  const state = decodeGroupBase(
    pending.base,
    ctx.profile.device.signing.secretKey,
    groupClientConfig(memberAuthService(async () => undefined)),
  );
  const record = remember(decodeGroupRecord(pending.record), digest);
  const after = { record, state };
  const save = await saveGroup(ctx, hex, g, after);
  save.ops.push(clearPendingOp(hex));
  const events = groupEvents(
    groupConversation(g.state.groupContext.groupId),
    g.record,
    record,
    ctx.profile.account,
  );
  return { kind: 'applied', save, events, record };
}

/**
 * Verifies and applies `commit` to group `hex`, returning what to write (nothing is written here). Throws
 * MLS_INVALID, GROUP_CREDENTIAL_INVALID, NOT_GROUP_ADMIN for a commit that must be refused (the state is
 * unchanged), or a network error when a device list could not be fetched (try again later).
 */
export async function applyCommit(ctx: Ctx, hex: string, commit: Uint8Array): Promise<Applied> {
  const header = peekMlsMessage(commit);
  const g = await loadGroup(ctx, hex);
  if (!isActive(g)) return { kind: 'inactive' };
  const epoch = stateEpoch(g.state);
  if (header.epoch < epoch) return { kind: 'old' };
  if (header.epoch > epoch) return { kind: 'ahead', epoch: header.epoch };
  const own = await adoptPending(ctx, hex, g, commit);
  if (own !== undefined) return own;
  const r = await processMlsMessage(groupDeps(ctx, g.record.suite), g.state, commit);
  if (r.kind !== 'commit') throw new Error('unreachable: a commit header without a commit');
  const digest = await commitDigest(ctx, commit);
  const record = r.removedSelf
    ? remember({ ...g.record, status: 'removed' }, digest)
    : remember(recordOf(r.state, g.record), digest);
  const after = { record, state: r.removedSelf ? undefined : r.state };
  const save = await saveGroup(ctx, hex, g, after);
  // Someone else's commit took this epoch: an own commit still pending for it never made it.
  save.ops.push(clearPendingOp(hex));
  const id = groupConversation(g.state.groupContext.groupId);
  return { kind: 'applied', save, events: groupEvents(id, g.record, record, r.committer.account), record };
}

/** Writes an applied commit with `extra` operations, updates the cache, and reports its events. */
export async function commitApplied(
  ctx: Ctx,
  a: Applied & { kind: 'applied' },
  extra: StoreOp[] = [],
): Promise<void> {
  await ctx.store.write([...extra, ...a.save.ops]);
  a.save.done();
  for (const e of a.events) ctx.events.emit('group', e);
}

/** The hex id of a group state. */
export const hexOf = (groupId: Uint8Array) => toHex(groupId);
