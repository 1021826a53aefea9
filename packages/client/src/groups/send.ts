/**
 * Sending to a group (ADR 0018 `groups.send`): the content is encrypted ONCE for the whole group and sent
 * in one frame; the server stores it once. Before the frame leaves, the one secret-tree node the
 * encryption moved is stored (with the pending message, on its first attempt), so a message key is never
 * used twice, even after a crash, and the cost stays the same whatever the group's size. Proposals
 * pending in the epoch (a member leaving) are committed first, as MLS requires. On STALE_EPOCH the commits
 * missed are applied and the content is encrypted again in the new epoch (the message id stays, so
 * members show it once).
 */

import {
  encryptMlsMessage,
  fromHex,
  ownLeafIndex,
  SottoError,
  stateDelta,
  stateEpoch,
  toHex,
} from '@sotto/crypto';
import type { Ctx } from '../context.js';
import type { StoreOp } from '../store/store.js';
import { ServerError } from '../transport.js';
import { activeGroup } from './active.js';
import { catchUp } from './catch-up.js';
import { commitToGroup } from './commit.js';
import { parseGroupConversation } from './ids.js';
import { type GroupReceiveHooks, releaseHeld } from './receive.js';
import { saveGroup } from './state-store.js';

const MAX_ATTEMPTS = 5;

/**
 * Encrypts `plaintext` (encoded content) to group `conversation` and sends it; `extraOps` are stored with
 * the first state change. Throws NOT_A_GROUP_MEMBER, GROUP_NOT_FOUND, STALE_EPOCH (after retries), and
 * NOT_CONNECTED / TIMEOUT (outcome unknown).
 */
export async function sendToGroup(
  ctx: Ctx,
  conversation: string,
  plaintext: Uint8Array,
  hooks: GroupReceiveHooks,
  extraOps: readonly StoreOp[] = [],
): Promise<void> {
  const hex = toHex(parseGroupConversation(conversation));
  let first = [...extraOps];
  for (let attempt = 1; ; attempt++) {
    let g = await activeGroup(ctx, hex);
    if (Object.keys(g.state.unappliedProposals).length > 0) {
      await commitToGroup(ctx, hex, () => ({}), hooks);
      g = await activeGroup(ctx, hex);
    }
    const enc = await encryptMlsMessage({ p: ctx.p, suite: g.record.suite }, g.state, plaintext);
    const own = ownLeafIndex(g.state) * 2;
    const save = await saveGroup(
      ctx,
      hex,
      g,
      { record: g.record, state: enc.state },
      stateDelta(g.state, enc.state, [own]),
    );
    await ctx.store.write([...first, ...save.ops]);
    save.done();
    first = [];
    try {
      await ctx.request({
        t: 'groups.send',
        groupId: fromHex(hex),
        epoch: stateEpoch(g.state),
        body: enc.message,
      });
      return;
    } catch (err) {
      const stale = err instanceof ServerError && err.code === 'STALE_EPOCH';
      const gone = SottoError.is(err, 'NOT_A_GROUP_MEMBER');
      if ((!stale && !gone) || attempt >= MAX_ATTEMPTS) throw err;
      // Behind: apply what was missed (a removal of this device included), then try in the new epoch.
      if ((await catchUp(ctx, hex)) === 0 && gone) throw err;
      await releaseHeld(ctx, hex, hooks);
    }
  }
}
