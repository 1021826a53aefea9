/**
 * Removing this device's upload from the server when its message fails or is cancelled, so it does not
 * count against the account's quota until it expires: `files.delete` over the WebSocket, which deletes a
 * finished or unfinished upload at once (tus termination would first wait for the server to release the
 * upload from the request that was cut). Best effort: the server expires unfinished uploads after a day
 * and files after 30 days anyway.
 */

import type { Ctx } from '../context.js';
import { loadFileRecord } from './record.js';

/** Deletes the server copy of message `messageId`'s file, if this device uploaded one. Never throws. */
export async function deleteServerCopy(ctx: Ctx, messageId: string): Promise<void> {
  try {
    const r = await loadFileRecord(ctx.store, messageId);
    if (r?.fileId === undefined) return;
    await ctx.request({ t: 'files.delete', fileId: r.fileId });
  } catch {
    // offline, or already gone: it expires
  }
}
