/**
 * Blocking, kept on the device: a block is recorded here before the server is asked, so it holds when the
 * server is unreachable or lies (the receive path drops a blocked account's envelopes), and it is synced to
 * this account's other devices in an end-to-end encrypted message. The server can claim a block (which
 * only drops messages) but can never lift one.
 */

import { loadContact, updateContact } from './contacts.js';
import { encodeContent } from './content.js';
import type { Ctx } from './context.js';
import { fanout } from './fanout.js';

/**
 * Records `name` as blocked (or not) here; with `sync`, tells our other devices. Does nothing when the
 * record already says so and `onlyIfBlocked` asks to lift a block that is not there.
 */
export async function setBlocked(
  ctx: Ctx,
  name: string,
  blocked: boolean,
  options: { readonly sync: boolean; readonly onlyIfBlocked?: boolean },
): Promise<void> {
  if (options.onlyIfBlocked === true && (await loadContact(ctx.store, name)).blocked !== true) return;
  await updateContact(ctx.store, name, (r) => {
    r.blocked = blocked;
  });
  if (options.sync) await syncBlock(ctx, name, blocked);
}

/** Tells our other devices that `name` was blocked or unblocked here. */
export async function syncBlock(ctx: Ctx, name: string, blocked: boolean): Promise<void> {
  await fanout(ctx, {
    to: ctx.profile.account,
    plaintextFor: () => encodeContent({ t: 'block', to: name, blocked }),
  });
}
