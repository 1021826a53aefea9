/**
 * The public types of calls: states, events and options. The SDK carries SDP and ICE candidates as
 * strings between the app's media engine (RTCPeerConnection in a browser) and the peer, inside the
 * end-to-end encryption; it never parses them beyond size and character checks.
 */

import type { IceCandidateLine } from '../content.js';
import type { CallOutcome } from '../types.js';

export type { IceCandidateLine } from '../content.js';

/**
 * Where a call stands. `outgoing` (the offer went out, ringing there) or `incoming` (ringing here) →
 * `connecting` (answered: media is being set up) → `connected` (the app reported media flowing) →
 * `ended` (with a {@link CallOutcome}). With no call the device is idle.
 */
export type CallState = 'outgoing' | 'incoming' | 'connecting' | 'connected' | 'ended';

/** A call's media. */
export type CallMedia = 'audio' | 'video';

/** A state change of a call. */
export interface CallStateEvent {
  readonly state: CallState;
  /** With `ended`: how it ended. */
  readonly outcome?: CallOutcome | undefined;
}

/** What a call emits. */
export interface CallEvents {
  /** The state changed. */
  state: CallStateEvent;
  /** Caller: the callee's answer (its SDP) arrived: give it to the media engine. */
  answer: { readonly sdp: string };
  /** ICE candidates from the peer (replayed to a new `candidates` listener; see `Call.onCandidates`). */
  candidates: readonly IceCandidateLine[];
}

/** Timing of calls (defaults suit people; tests shorten them). */
export interface CallTimings {
  /** How long a call rings before it counts as missed (default 45,000 ms). */
  readonly ringTimeoutMs?: number;
  /** How long an answered call may take to connect before it fails (default 30,000 ms). */
  readonly connectTimeoutMs?: number;
  /** An offer older than this by the server's clock is shown as missed and not rung (default 60,000 ms). */
  readonly staleOfferMs?: number;
}

/** Options of {@link CallManager.start}. */
export interface StartCallOptions {
  readonly media: CallMedia;
  /** The local SDP offer (RTCPeerConnection.createOffer()). */
  readonly sdp: string;
}
