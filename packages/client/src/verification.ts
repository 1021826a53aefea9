/**
 * Verification (DESIGN §3): safety numbers and QR payloads over the two identity keys, marking a contact
 * verified, and acknowledging a changed key (which then becomes the recorded, unverified key; the old
 * sessions and device list are dropped so everything is set up again under the new key).
 */

import { SottoError, safetyNumber, verifySafetyQr } from '@sotto/crypto';
import { contactOp, loadContact } from './contacts.js';
import type { Ctx } from './context.js';
import { refreshDevices } from './directory.js';
import { failPendingFor } from './messages.js';
import { del, type StoreOp } from './store/store.js';
import type { SafetyNumberInfo } from './types.js';

async function contactKey(ctx: Ctx, name: string, online: boolean): Promise<Uint8Array> {
  let r = await loadContact(ctx.store, name);
  if (r.identityKey === undefined && online) {
    await refreshDevices(ctx, name);
    r = await loadContact(ctx.store, name);
  }
  if (r.identityKey === undefined)
    throw new SottoError(
      'NOT_CONNECTED',
      'The identity key of this account is not known yet; connect first.',
    );
  return r.identityKey;
}

/** The safety number with `name`. Throws NOT_CONNECTED when the key is unknown and we are offline. */
export async function safetyNumberWith(ctx: Ctx, name: string, online: boolean): Promise<SafetyNumberInfo> {
  const remote = await contactKey(ctx, name, online);
  const s = await safetyNumber(
    ctx.p,
    { name: ctx.profile.account, identityKey: ctx.profile.identity.publicKey },
    { name, identityKey: remote },
  );
  return { digits: s.digits, groups: s.groups, qrPayload: s.qrPayload };
}

/** True when `payload` is the QR payload of the safety number with `name`. */
export async function checkSafetyQr(
  ctx: Ctx,
  name: string,
  payload: Uint8Array,
  online: boolean,
): Promise<boolean> {
  const remote = await contactKey(ctx, name, online);
  return verifySafetyQr(
    ctx.p,
    payload,
    { name: ctx.profile.account, identityKey: ctx.profile.identity.publicKey },
    { name, identityKey: remote },
  );
}

/** Marks the recorded key of `name` verified. Throws UNTRUSTED_IDENTITY while a change is pending. */
export async function markContactVerified(ctx: Ctx, name: string, online: boolean): Promise<void> {
  await contactKey(ctx, name, online);
  const r = await loadContact(ctx.store, name);
  if (r.pendingIdentityKey !== undefined) {
    throw new SottoError(
      'UNTRUSTED_IDENTITY',
      'Acknowledge the identity change first, then verify the new key.',
    );
  }
  r.verified = true;
  await ctx.store.write([contactOp(name, r)]);
}

/** Accepts the pending identity key of `name` (unverified from now on) and drops state tied to the old key. */
export async function acknowledgeChange(ctx: Ctx, name: string): Promise<void> {
  const r = await loadContact(ctx.store, name);
  if (r.pendingIdentityKey === undefined) return;
  r.identityKey = r.pendingIdentityKey;
  r.pendingIdentityKey = undefined;
  r.verified = false;
  const ops: StoreOp[] = [contactOp(name, r), del('devices', name)];
  for (const [key] of await ctx.store.list('sessions', { prefix: `${name}/` }))
    ops.push(del('sessions', key));
  await ctx.store.write(ops);
  // Accepting the new key is not a decision about messages written for the old one: they need a resend.
  await failPendingFor(ctx, name, r.identityKey);
}
