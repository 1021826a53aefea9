/**
 * Outgoing receipts and typing: end-to-end encrypted content like messages. Delivery receipts are owed
 * durably (the `outbox` table) and batched per conversation (a mailbox of many messages yields one
 * receipt, not many).
 */

import { SottoError, toHex } from '@sotto/crypto';
import { loadContact } from './contacts.js';
import { encodeContent } from './content.js';
import type { Ctx } from './context.js';
import { fanout } from './fanout.js';
import { isActive } from './groups/active.js';
import { isGroupConversation, parseGroupConversation } from './groups/ids.js';
import { sendToGroup } from './groups/send.js';
import { loadGroup } from './groups/state-store.js';
import { messageIdFromString } from './history.js';
import { del } from './store/store.js';

/** Most message ids in one receipt (the content bound). */
const MAX_IDS = 256;

/** Sends a receipt for `ids` to `conversation` (and a copy to our other devices). */
export async function sendReceipt(
  ctx: Ctx,
  conversation: string,
  kind: 'delivered' | 'read',
  ids: readonly string[],
): Promise<void> {
  for (let i = 0; i < ids.length; i += MAX_IDS) {
    const chunk = ids.slice(i, i + MAX_IDS).map(messageIdFromString);
    if (isGroupConversation(conversation)) {
      // Receipts for a group this device left or was removed from are moot.
      if (!isActive(await loadGroup(ctx, toHex(parseGroupConversation(conversation))))) return;
      const content = encodeContent({ t: 'receipt', receipt: kind, ids: chunk });
      await sendToGroup(ctx, conversation, content, ctx.groupHooks);
      continue;
    }
    await fanout(ctx, {
      to: conversation,
      plaintextFor: (t) =>
        encodeContent({ t: 'receipt', ...(t.own ? { to: conversation } : {}), receipt: kind, ids: chunk }),
    });
  }
}

/**
 * Sends a typing indicator: an ordinary end-to-end encrypted message (padded like a short text, stored
 * and acknowledged like one, so the server cannot tell it apart; see ADR 0009). It is not sent while the
 * contact shows as offline (nobody would see it, and it would only fill their mailbox); a receiver ignores
 * one that arrives late. In a group it goes to every member, once encrypted.
 */
export async function sendTypingTo(ctx: Ctx, conversation: string, typing: boolean): Promise<void> {
  if (isGroupConversation(conversation)) {
    await sendToGroup(ctx, conversation, encodeContent({ t: 'typing', typing }), ctx.groupHooks);
    return;
  }
  const presence = (await loadContact(ctx.store, conversation)).presence;
  if (presence === undefined || presence.state === 'offline') return;
  await fanout(ctx, {
    to: conversation,
    plaintextFor: (t) => encodeContent({ t: 'typing', ...(t.own ? { to: conversation } : {}), typing }),
  });
}

/** The `outbox` key of a delivery receipt owed for message `id` of `conversation`. */
export function outboxKey(conversation: string, id: string): string {
  return `delivered${SEP}${conversation}${SEP}${id}`;
}

const SEP = '\u0001';

/**
 * Delivery receipts owed, kept in the store's `outbox` table: each is written in the same atomic write
 * as the message it confirms, so none is lost to a restart or a short-lived process. They are sent in
 * batches per conversation shortly after arriving, after every reconnect, and before the client closes.
 */
export class ReceiptOutbox {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    /** Runs a task in the client's queue with the loaded profile. */
    private readonly run: (task: (ctx: Ctx) => Promise<void>) => Promise<void>,
    private readonly report: (err: unknown) => void,
    private readonly delayMs = 30,
  ) {}

  /** Sends what is owed soon (coalescing bursts). */
  schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((err) => this.report(err));
    }, this.delayMs);
  }

  /** Sends every owed receipt now; what cannot be sent (offline) stays owed. */
  async flush(): Promise<void> {
    this.stop();
    await this.run(async (ctx) => {
      const byConversation = new Map<string, string[]>();
      for (const [key] of await ctx.store.list('outbox', { prefix: `delivered${SEP}` })) {
        const [, conversation, id] = key.split(SEP);
        if (conversation === undefined || id === undefined) continue;
        byConversation.set(conversation, [...(byConversation.get(conversation) ?? []), id]);
      }
      for (const [conversation, ids] of byConversation) {
        try {
          await sendReceipt(ctx, conversation, 'delivered', ids);
        } catch (err) {
          if (SottoError.is(err, 'NOT_CONNECTED') || SottoError.is(err, 'TIMEOUT')) return;
          // Refused for good (no longer a contact, blocked): report it and do not retry forever.
          this.report(err);
        }
        await ctx.store.write(ids.map((id) => del('outbox', outboxKey(conversation, id))));
      }
    });
  }

  /** Stops the timer (owed receipts stay in the store). */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
