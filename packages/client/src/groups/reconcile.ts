/**
 * Keeping a group's devices in line with the verified device lists (ADR 0018 "Multi-device"):
 * - this account's devices that are on its list and not in the group are added (a new device joins every
 *   group of the account; any of its devices in the group may add it: the others then find it done);
 * - leaves whose device is no longer on its owner's list (revoked, logged out) are removed — by anyone,
 *   as the rules allow;
 * - proposals pending in the epoch (a member leaving) are committed by the member in the lowest leaf
 *   that stays (every other member commits them before its next message anyway).
 * It runs after each connect, when a device list changes, and when a group changed.
 */

import { SottoError, stateEpoch, treeMembers } from '@sotto/crypto';
import type { Ctx } from '../context.js';
import { refreshDevices, storedDevices } from '../directory.js';
import { isActive } from './active.js';
import { catchUp, transient } from './catch-up.js';
import { claimKeyPackages } from './claim.js';
import { type CommitPlan, commitToGroup } from './commit.js';
import { loadPendingCommit } from './pending.js';
import { type GroupReceiveHooks, releaseHeld } from './receive.js';
import { listGroupIds, loadGroup } from './state-store.js';

/** The leaves of group `g` whose devices left their owners' stored verified lists. */
async function delistedLeaves(
  ctx: Ctx,
  members: ReadonlyArray<{ account: string; deviceId: number; leaf: number }>,
): Promise<number[]> {
  const out: number[] = [];
  for (const m of members) {
    const d = await storedDevices(ctx, m.account).catch(() => undefined);
    if (d !== undefined && !d.certified.has(m.deviceId)) out.push(m.leaf);
  }
  return out;
}

/** Brings group `hex` in line (see the module comment). Errors other than being offline are reported. */
export async function reconcileGroup(ctx: Ctx, hex: string, hooks: GroupReceiveHooks): Promise<void> {
  try {
    await commitToGroup(
      ctx,
      hex,
      async (g): Promise<CommitPlan | undefined> => {
        const self = ctx.profile.account;
        const remove = await delistedLeaves(ctx, g.record.members);
        const own = await storedDevices(ctx, self).catch(() => undefined);
        const inTree = new Set(g.record.members.filter((m) => m.account === self).map((m) => m.deviceId));
        const missing = [...(own?.certified ?? new Map())]
          .filter(([id]) => !inTree.has(id) && id !== ctx.profile.deviceId)
          .map(([deviceId, cert]) => ({ account: self, deviceId, signingKey: cert.signingKey }));
        const add =
          missing.length === 0 ? [] : [...(await claimKeyPackages(ctx, g.record.suite, missing)).values()];
        const proposals = Object.values(g.state.unappliedProposals);
        let commitProposals = false;
        if (proposals.length > 0) {
          const leaving = new Set(
            proposals.flatMap((p) =>
              p.proposal.proposalType === 'remove' ? [p.proposal.remove.removed] : [],
            ),
          );
          const stay = treeMembers(g.state.ratchetTree).filter((m) => !leaving.has(m.leafIndex));
          commitProposals = stay[0]?.leafIndex === g.state.privatePath.leafIndex;
        }
        if (remove.length === 0 && add.length === 0) return commitProposals ? {} : undefined;
        return { ...(remove.length > 0 ? { remove } : {}), ...(add.length > 0 ? { add } : {}) };
      },
      hooks,
    );
  } catch (err) {
    if (!transient(err) && !SottoError.is(err, 'NOT_A_GROUP_MEMBER')) hooks.report(err, hex);
  }
}

/**
 * After a connect: for each group, the commits missed while offline are applied (and an own commit whose
 * answer was lost is resolved), the device lists of members who are not contacts are fetched again, and
 * the group is brought in line.
 */
export async function reconcileAllGroups(ctx: Ctx, hooks: GroupReceiveHooks, refresh = false): Promise<void> {
  const refreshed = new Set<string>();
  for (const hex of await listGroupIds(ctx)) {
    const g = await loadGroup(ctx, hex);
    if (!isActive(g)) continue;
    try {
      if (refresh || (await loadPendingCommit(ctx, hex)) !== undefined) {
        await catchUp(ctx, hex);
        await releaseHeld(ctx, hex, hooks);
      }
      if (refresh) {
        for (const m of g.record.members) {
          if (refreshed.has(m.account)) continue;
          refreshed.add(m.account);
          await refreshDevices(ctx, m.account).catch((err: unknown) => {
            if (transient(err)) throw err;
          });
        }
      }
    } catch (err) {
      if (transient(err)) return;
      // Off the roster: the commit that removed this device is in its mailbox, and says so.
      if (!SottoError.is(err, 'NOT_A_GROUP_MEMBER')) hooks.report(err, hex);
    }
    const now = await loadGroup(ctx, hex);
    if (isActive(now) && stateEpoch(now.state) >= 0) await reconcileGroup(ctx, hex, hooks);
  }
}
