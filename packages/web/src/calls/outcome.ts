/** What the call screen says about a call's state and how it ended, from this person's side. */
import type { Call, CallOutcome, CallState } from '@sotto/client';

/** The status line of a call that goes on. */
export function describeState(state: CallState | 'starting', call: Call | undefined): string {
  if (state === 'starting') return 'Starting…';
  if (state === 'outgoing') return 'Calling…';
  if (state === 'incoming') return `Incoming ${call?.media === 'video' ? 'video' : 'voice'} call`;
  if (state === 'connecting') return 'Connecting…';
  if (state === 'connected') return 'Connected';
  return 'Call ended';
}

/** How a call ended, as a sentence. */
export function describeOutcome(outcome: CallOutcome | undefined, peer: string): string {
  switch (outcome) {
    case 'ended':
      return 'Call ended';
    case 'cancelled':
      return 'Call cancelled';
    case 'no-answer':
      return `No answer from ${peer}`;
    case 'missed':
      return 'Missed call';
    case 'declined':
      return `Call declined`;
    case 'busy':
      return `${peer} is busy`;
    case 'answered-elsewhere':
      return 'Answered on another device';
    default:
      return 'Call failed';
  }
}

/** A duration as m:ss (or h:mm:ss). */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const mm = String(Math.floor((s % 3600) / 60)).padStart(s >= 3600 ? 2 : 1, '0');
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${ss}` : `${mm}:${ss}`;
}
