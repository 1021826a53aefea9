/**
 * Call log entries: when a call ends, this device writes a message-like line in the conversation
 * ("Missed call", "Call ended") with the call's media, outcome and duration. It is never sent: every
 * device that took part logs its own view. Its id is fresh (not the call id), so no receipt can refer
 * to it from elsewhere.
 */

import { toHex } from '@sotto/crypto';
import type { Ctx } from '../context.js';
import { messageOps } from '../history.js';
import type { CallOutcome, Message } from '../types.js';
import type { Call } from './call.js';

/** The words of an outcome, for clients that show only a message's text. */
const WORDS: Record<CallOutcome, string> = {
  ended: 'Call ended',
  cancelled: 'Cancelled call',
  'no-answer': 'No answer',
  missed: 'Missed call',
  declined: 'Declined call',
  busy: 'Missed call (busy)',
  failed: 'Call failed',
  'answered-elsewhere': 'Answered on another device',
};

/** The text of a call log entry: the outcome in words, with the duration of an ended call. */
export function callLogText(outcome: CallOutcome, media: 'audio' | 'video', durationMs: number): string {
  const kind = media === 'video' ? 'video' : 'voice';
  if (outcome !== 'ended') return `${WORDS[outcome]} (${kind})`.replace(') (', ', ');
  const s = Math.round(durationMs / 1000);
  const clock = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  return `Call ended (${kind}, ${clock})`;
}

/** The log entry of ended call `call`. */
export function callLogEntry(ctx: Ctx, call: Call): Message {
  const outcome = call.outcome ?? 'failed';
  const out = call.direction === 'out';
  const now = ctx.clock.now();
  return {
    id: toHex(ctx.p.randomBytes(16)),
    conversation: call.peer,
    direction: call.direction,
    from: out
      ? { account: ctx.profile.account, deviceId: ctx.profile.deviceId }
      : { account: call.peer, deviceId: call.peerDevice ?? 0 },
    text: callLogText(outcome, call.media, call.durationMs),
    sentAt: call.startedAt,
    seq: 0,
    receivedAt: now,
    status: out ? 'sent' : 'read',
    call: {
      id: call.id,
      media: call.media,
      outcome,
      ...(outcome === 'ended' ? { durationMs: call.durationMs } : {}),
    },
  };
}

/** Stores the log entry of `call` and announces it as a `message`. */
export async function logCall(ctx: Ctx, call: Call): Promise<void> {
  const m = callLogEntry(ctx, call);
  await ctx.store.write(messageOps(m));
  ctx.events.emit('message', m);
}
