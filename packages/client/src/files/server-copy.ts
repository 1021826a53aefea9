/**
 * Removing this device's upload from the server when its message fails or is cancelled, so it does not
 * count against the account's quota until it expires: `files.delete` over the WebSocket, and the tus
 * termination with the upload token for an upload that never finished. Best effort: the server expires
 * unfinished uploads after a day and files after 30 days anyway.
 */

import type { Ctx } from '../context.js';
import { loadFileRecord } from './record.js';
import { TusClient } from './tus.js';

/** Deletes the server copy of message `messageId`'s file, if this device uploaded one. Never throws. */
export async function deleteServerCopy(ctx: Ctx, messageId: string, serverUrl?: string): Promise<void> {
  try {
    const r = await loadFileRecord(ctx.store, messageId);
    if (r?.fileId === undefined) return;
    if (r.token !== undefined && serverUrl !== undefined) {
      await new TusClient(serverUrl).terminate(r.token, r.fileId);
    }
    await ctx.request({ t: 'files.delete', fileId: r.fileId }).catch(() => undefined);
  } catch {
    // offline or already gone: it expires
  }
}
