/**
 * Sending call signaling: ordinary end-to-end encrypted content, fanned out like a message to every
 * device of the peer and to our own other devices (their copy names the peer in `to`), so the DTLS
 * fingerprints in the SDP are authenticated by the sessions. Nothing is stored as a message.
 */

import { SottoError } from '@sotto/crypto';
import { loadContact } from '../contacts.js';
import { type CallContent, encodeContent } from '../content.js';
import type { Ctx } from '../context.js';
import { fanout } from '../fanout.js';
import type { CallSignalBody } from './call.js';

/** Sends `body` about call `callId` to `peer`. Throws the refusals of a send (NOT_A_CONTACT, BLOCKED…). */
export async function sendCallSignal(
  ctx: Ctx,
  peer: string,
  body: CallSignalBody,
  callId: Uint8Array,
): Promise<void> {
  await fanout(ctx, {
    to: peer,
    plaintextFor: (t) => encodeContent({ ...body, callId, ...(t.own ? { to: peer } : {}) } as CallContent),
  });
}

/** Throws NOT_A_CONTACT or BLOCKED unless `peer` is an accepted contact this account has not blocked. */
export async function checkCallPeer(ctx: Ctx, peer: string): Promise<void> {
  if (peer === ctx.profile.account) throw new SottoError('INVALID_ARGUMENT', 'One cannot call oneself.');
  const r = await loadContact(ctx.store, peer);
  if (r.blocked === true || r.state === 'blocked')
    throw new SottoError('BLOCKED', 'This contact is blocked.');
  if (r.state !== 'accepted') throw new SottoError('NOT_A_CONTACT');
}
