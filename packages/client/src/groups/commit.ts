/**
 * Commits by this device (ADR 0018 `groups.commit`): the change is built from the current state, checked
 * against the admin rules as every member will check it, and sent with the epoch it was made at. The
 * server takes one commit per epoch: on STALE_EPOCH this device catches up with the log and builds the
 * change again on the new state (what is left of it). The resulting state is stored as pending before the
 * commit leaves (see pending.ts), and becomes the group's state once the server accepted it.
 */

import {
  commitMlsChanges,
  encodeGroupBase,
  fromHex,
  type GroupMetadata,
  type MemberDevice,
  type MlsKeyPackage,
  SottoError,
  stateEpoch,
} from '@sotto/crypto';
import type { FrameOf } from '@sotto/protocol';
import type { Ctx } from '../context.js';
import { ServerError } from '../transport.js';
import { type ActiveGroup, activeGroup, groupDeps } from './active.js';
import { commitDigest } from './apply.js';
import { catchUp } from './catch-up.js';
import { groupEvents } from './changes.js';
import { groupConversation } from './ids.js';
import { memberLookup } from './lookup.js';
import { clearPendingOp, pendingCommitOp } from './pending.js';
import { type GroupReceiveHooks, releaseHeld } from './receive.js';
import { encodeGroupRecord, type GroupRecord, recordOf } from './record.js';
import { saveGroup } from './state-store.js';

/** Attempts of one commit before STALE_EPOCH is given up on. */
const MAX_ATTEMPTS = 5;

/** A change to commit, built against the group as it is now. */
export interface CommitPlan {
  readonly add?: readonly MlsKeyPackage[];
  readonly remove?: readonly number[];
  readonly metadata?: GroupMetadata;
}

/**
 * Builds the change from the current group; undefined when there is nothing (left) to do, `{}` to commit
 * only the proposals pending in the epoch.
 */
export type Planner = (g: ActiveGroup) => Promise<CommitPlan | undefined> | CommitPlan | undefined;

const device = (d: MemberDevice) => ({ account: d.account, deviceId: d.deviceId });

/** Which leaves of `g` among `leaves` left their owners' verified lists (each asked once). */
async function delistedOf(ctx: Ctx, g: ActiveGroup, leaves: readonly number[]): Promise<Set<number>> {
  const lookup = memberLookup(ctx);
  const out = new Set<number>();
  for (const m of g.record.members) {
    if (leaves.includes(m.leaf) && (await lookup(m)) === undefined) out.add(m.leaf);
  }
  return out;
}

/**
 * Commits the change `plan` builds (and any proposals pending in the epoch) to group `hex`. Resolves with
 * the new summary, or undefined when there was nothing to do. Throws NOT_GROUP_ADMIN, NOT_A_GROUP_MEMBER,
 * GROUP_NOT_FOUND, the server's refusals (NOT_A_CONTACT, BLOCKED, GROUP_TOO_LARGE …), STALE_EPOCH after
 * {@link MAX_ATTEMPTS}, or NOT_CONNECTED / TIMEOUT (the commit may have gone through: the log tells on the
 * next catch-up).
 */
export async function commitToGroup(
  ctx: Ctx,
  hex: string,
  plan: Planner,
  hooks: GroupReceiveHooks,
): Promise<GroupRecord | undefined> {
  for (let attempt = 1; ; attempt++) {
    const g = await activeGroup(ctx, hex);
    const p = await plan(g);
    if (p === undefined) return undefined;
    if (p.metadata !== undefined && Object.keys(g.state.unappliedProposals).length > 0) {
      // Pending removals first: ts-mls cannot commit them with a metadata change (LukaJCB/ts-mls#742).
      await commitToGroup(ctx, hex, () => ({}), hooks);
      continue;
    }
    const delisted = await delistedOf(ctx, g, p.remove ?? []);
    const out = await commitMlsChanges(groupDeps(ctx, g.record.suite), g.state, {
      ...(p.add === undefined ? {} : { add: p.add }),
      ...(p.remove === undefined ? {} : { remove: p.remove }),
      ...(p.metadata === undefined ? {} : { metadata: p.metadata }),
      delisted: (leaf) => delisted.has(leaf.leafIndex),
    });
    const epoch = stateEpoch(g.state);
    const digest = await commitDigest(ctx, out.commit);
    const record = recordOf(out.state, {
      ...g.record,
      recent: [...(g.record.recent ?? []), digest].slice(-16),
    });
    await ctx.store.write([
      pendingCommitOp(hex, {
        epoch,
        digest,
        base: encodeGroupBase(out.state),
        record: encodeGroupRecord(record),
      }),
    ]);
    try {
      (await ctx.request({
        t: 'groups.commit',
        groupId: fromHex(hex),
        epoch,
        commit: out.commit,
        ...(out.welcome === undefined ? {} : { welcome: out.welcome }),
        added: out.effects.added.map(device),
        removed: out.effects.removed.map(device),
      })) as FrameOf<'groups.commit.result'>;
    } catch (err) {
      if (SottoError.is(err, 'TIMEOUT') || SottoError.is(err, 'NOT_CONNECTED')) throw err;
      await ctx.store.write([clearPendingOp(hex)]);
      if (!(err instanceof ServerError && err.code === 'STALE_EPOCH') || attempt >= MAX_ATTEMPTS) throw err;
      await catchUp(ctx, hex);
      await releaseHeld(ctx, hex, hooks);
      continue;
    }
    const save = await saveGroup(ctx, hex, g, { record, state: out.state });
    await ctx.store.write([...save.ops, clearPendingOp(hex)]);
    save.done();
    const id = groupConversation(g.state.groupContext.groupId);
    for (const e of groupEvents(id, g.record, record, ctx.profile.account)) ctx.events.emit('group', e);
    return record;
  }
}
