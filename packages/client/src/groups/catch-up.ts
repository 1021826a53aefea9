/**
 * Catching up with a group's log (ADR 0018 `groups.commits`): after STALE_EPOCH, or when an envelope of a
 * later epoch shows commits are missing, the commits from this device's epoch on are fetched and applied
 * in order, each verified as if it had come in its envelope. A refused commit stops the catch-up (the
 * server's log then diverges from what members signed; it is reported).
 */

import { fromHex, SottoError, stateEpoch } from '@sotto/crypto';
import type { FrameOf } from '@sotto/protocol';
import type { Ctx } from '../context.js';
import { isActive } from './active.js';
import { applyCommit, commitApplied } from './apply.js';
import { loadGroup } from './state-store.js';

/** Pages of commits fetched in one catch-up at most (then the next operation goes on). */
const MAX_PAGES = 64;

/** True for errors that say nothing about the data (the operation may be tried again later). */
export function transient(err: unknown): boolean {
  return (
    SottoError.is(err) &&
    ['NOT_CONNECTED', 'TIMEOUT', 'RATE_LIMITED', 'INTERNAL', 'MAILBOX_FULL'].includes(err.code)
  );
}

/**
 * Fetches and applies the commits of group `hex` this device has not seen. Resolves with the number of
 * commits applied. Throws a transient error (offline), or the refusal of a commit in the log.
 */
export async function catchUp(ctx: Ctx, hex: string): Promise<number> {
  let applied = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const g = await loadGroup(ctx, hex);
    if (!isActive(g)) return applied;
    const since = stateEpoch(g.state);
    const r = (await ctx.request({
      t: 'groups.commits',
      groupId: fromHex(hex),
      since,
    })) as FrameOf<'groups.commits.result'>;
    let progressed = false;
    for (const c of r.commits) {
      const a = await applyCommit(ctx, hex, c.commit);
      if (a.kind === 'inactive') return applied;
      if (a.kind !== 'applied') continue;
      await commitApplied(ctx, a);
      applied++;
      progressed = true;
    }
    if (!r.more || !progressed) return applied;
  }
  return applied;
}
