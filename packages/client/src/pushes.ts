/**
 * Pushes that are not envelopes: contact events, presence, device-list changes. Each updates the local
 * records first and then emits its event. Contacts learned from the server are the relationship only;
 * identity keys always come from the verified directory.
 */

import type { FrameOf } from '@sotto/protocol';
import { contactOp, listContactRecords, loadContact } from './contacts.js';
import type { Ctx } from './context.js';
import { refreshDevices } from './directory.js';
import type { StoreOp } from './store/store.js';

/** Applies a `contacts.event` push. */
export async function onContactEvent(ctx: Ctx, f: FrameOf<'contacts.event'>): Promise<void> {
  const r = await loadContact(ctx.store, f.account);
  r.state = f.state;
  if (f.state !== 'accepted') r.presence = undefined;
  await ctx.store.write([contactOp(f.account, r)]);
  ctx.events.emit('contact-event', { kind: f.kind, account: f.account, state: f.state });
  if (f.kind === 'request' && f.state === 'incoming')
    ctx.events.emit('contact-request', { account: f.account });
  if (f.state === 'accepted') {
    // Trust on first use at the earliest moment: record the identity key as soon as we are contacts.
    await refreshDevices(ctx, f.account).catch(() => undefined);
  }
}

/** Applies a `presence` push. */
export async function onPresence(ctx: Ctx, f: FrameOf<'presence'>): Promise<void> {
  const r = await loadContact(ctx.store, f.account);
  r.presence = { state: f.state, text: f.text, lastSeen: f.lastSeen };
  await ctx.store.write([contactOp(f.account, r)]);
  ctx.events.emit('presence', { account: f.account, state: f.state, text: f.text, lastSeen: f.lastSeen });
}

/** Mirrors the server's contact list into the local records (after each connect). */
export async function syncContacts(ctx: Ctx): Promise<void> {
  const r = (await ctx.request({ t: 'contacts.list' })) as FrameOf<'contacts.list.result'>;
  const server = new Map(r.contacts.map((c) => [c.account, c.state]));
  const ops: StoreOp[] = [];
  const local = new Map(await listContactRecords(ctx.store));
  for (const [account, state] of server) {
    const rec = local.get(account) ?? (await loadContact(ctx.store, account));
    if (rec.state !== state) {
      rec.state = state;
      ops.push(contactOp(account, rec));
    }
  }
  for (const [account, rec] of local) {
    if (!server.has(account) && rec.state !== 'none') {
      rec.state = 'none';
      rec.presence = undefined;
      ops.push(contactOp(account, rec));
    }
  }
  if (ops.length > 0) await ctx.store.write(ops);
}
