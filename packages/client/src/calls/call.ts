/**
 * One 1:1 call and its state machine (see `CallState`). The app drives the media engine and hands the SDK
 * its SDP and ICE candidates as strings; the SDK carries them to the peer end to end, keeps the state,
 * runs the ring and connect timeouts, and reports what the peer did as events. Every transition happens
 * here, so the rules (who may accept, what a hangup means in each state) live in one place.
 */

import { SottoError, toHex } from '@sotto/crypto';
import type { CallContent, IceCandidateLine } from '../content.js';
import { TypedEmitter } from '../events.js';
import type { CallOutcome } from '../types.js';
import type { CallEvents, CallMedia, CallState } from './types.js';

/** Call signaling without the own-device `to` (the host adds it for the copies to own devices). */
export type CallSignalBody =
  | { readonly t: 'call-offer'; readonly media: CallMedia; readonly sdp: string }
  | { readonly t: 'call-answer'; readonly sdp: string }
  | { readonly t: 'call-ice'; readonly candidates: readonly IceCandidateLine[] }
  | { readonly t: 'call-hangup'; readonly reason: Extract<CallContent, { t: 'call-hangup' }>['reason'] };

/** What a call needs from its manager. */
export interface CallHost {
  /** Sends `body` about `call` to every device of the peer (and a copy to our own other devices). */
  send(call: Call, body: CallSignalBody): Promise<void>;
  /** The call ended: it is logged (unless `silent`) and forgotten. */
  ended(call: Call, silent: boolean): void;
  now(): number;
  report(err: unknown): void;
  readonly ringTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

/** How long local candidates gather before they go out as one `call-ice`. */
const ICE_BATCH_MS = 40;
/** Most candidates in one `call-ice` (the content bound). */
const ICE_PER_MESSAGE = 16;

/** A call. Get one from `client.calls.start()` or the client's `call` event (incoming). */
export class Call {
  /** The call id (32 hex characters). */
  readonly id: string;
  private readonly events = new TypedEmitter<CallEvents>();
  private current: CallState;
  private reason: CallOutcome | undefined;
  private device: number | undefined;
  private connectedTime: number | undefined;
  private endedTime: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private iceTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly localIce: IceCandidateLine[] = [];
  private readonly remoteIce: IceCandidateLine[] = [];

  constructor(
    private readonly host: CallHost,
    /** The call id's bytes. */
    readonly callId: Uint8Array,
    /** The other person. */
    readonly peer: string,
    /** `out` when this device called. */
    readonly direction: 'out' | 'in',
    readonly media: CallMedia,
    /** When it started ringing (this device's clock for an outgoing call, the server's for an incoming one). */
    readonly startedAt: number,
    /** Incoming: the caller's SDP offer, for the media engine. */
    readonly remoteOffer?: string,
    /** Incoming: the device of the peer that called. */
    peerDevice?: number,
    /** Incoming after glare: the id of this device's own outgoing call that this one replaces. */
    readonly replaces?: string,
  ) {
    this.id = toHex(callId);
    this.current = direction === 'out' ? 'outgoing' : 'incoming';
    this.device = peerDevice;
  }

  /** The state now. */
  get state(): CallState {
    return this.current;
  }
  /** With `ended`: how it ended. */
  get outcome(): CallOutcome | undefined {
    return this.reason;
  }
  /** The peer's device this call is with (known once answered, or from the offer). */
  get peerDevice(): number | undefined {
    return this.device;
  }
  /** When the app reported it connected (this device's clock). */
  get connectedAt(): number | undefined {
    return this.connectedTime;
  }
  /** How long it has been (or was) connected, in ms; 0 when it never connected. */
  get durationMs(): number {
    if (this.connectedTime === undefined) return 0;
    return Math.max(0, (this.endedTime ?? this.host.now()) - this.connectedTime);
  }

  /** Subscribes to an event; returns a function that unsubscribes. */
  on<K extends keyof CallEvents>(event: K, listener: (payload: CallEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /**
   * Subscribes to the peer's ICE candidates: those that arrived already are given at once (a callee's
   * media engine exists only after it accepted). Returns a function that unsubscribes.
   */
  onCandidates(listener: (candidates: readonly IceCandidateLine[]) => void): () => void {
    if (this.remoteIce.length > 0) listener([...this.remoteIce]);
    return this.events.on('candidates', listener);
  }

  /**
   * Accepts an incoming call with the local SDP answer: it goes to the caller, and our other devices stop
   * ringing. Throws CALL_STATE unless ringing here; rejects with the send's error (then the call failed).
   */
  async accept(sdp: string): Promise<void> {
    if (this.current !== 'incoming')
      throw new SottoError('CALL_STATE', 'Only a ringing call can be accepted.');
    this.clearTimer();
    this.move('connecting');
    this.startTimer(this.host.connectTimeoutMs, () => void this.fail());
    try {
      await this.host.send(this, { t: 'call-answer', sdp });
    } catch (err) {
      this.end('failed');
      throw err;
    }
    this.flushSoon();
  }

  /** Declines an incoming call (the caller sees `declined`; our other devices stop ringing). */
  async decline(): Promise<void> {
    if (this.current !== 'incoming')
      throw new SottoError('CALL_STATE', 'Only a ringing call can be declined.');
    this.end('declined');
    await this.host.send(this, { t: 'call-hangup', reason: 'declined' });
  }

  /**
   * Ends the call from this side (a ringing incoming call is declined). Does nothing once ended; the
   * peer is told even when sending fails later (the rejection says so).
   */
  async hangup(): Promise<void> {
    if (this.current === 'ended') return;
    if (this.current === 'incoming') return this.decline();
    const outcome: CallOutcome = this.current === 'outgoing' ? 'cancelled' : 'ended';
    this.end(outcome);
    await this.host.send(this, { t: 'call-hangup', reason: 'hangup' });
  }

  /** The media could not be set up or broke down: ends the call as `failed` and tells the peer. */
  async fail(): Promise<void> {
    if (this.current === 'ended') return;
    this.end('failed');
    await this.host.send(this, { t: 'call-hangup', reason: 'failed' }).catch((err) => this.host.report(err));
  }

  /** The app's media engine connected: `connecting` → `connected` (the duration counts from now). */
  connected(): void {
    if (this.current !== 'connecting') return;
    this.clearTimer();
    this.connectedTime = this.host.now();
    this.move('connected');
  }

  /**
   * Local ICE candidates to send to the peer (batched; an empty candidate line marks the end). Ignored
   * once ended; held while ringing here until {@link accept}.
   */
  addCandidates(candidates: readonly IceCandidateLine[]): void {
    if (this.current === 'ended') return;
    this.localIce.push(...candidates);
    if (this.current !== 'incoming') this.flushSoon();
  }

  // --- driven by the manager -------------------------------------------------------------------------

  /** Starts the ring timeout (after the offer went out, or when it rings here). */
  ring(remainingMs: number): void {
    this.startTimer(Math.max(0, remainingMs), () => {
      if (this.direction === 'out') {
        this.end('no-answer');
        void this.host.send(this, { t: 'call-hangup', reason: 'missed' }).catch((e) => this.host.report(e));
      } else {
        this.end('missed');
      }
    });
  }

  /** Caller: a device of the peer answered. The first answer wins; later ones are ignored. */
  answered(sdp: string, device: number): void {
    if (this.current !== 'outgoing') return;
    this.device = device;
    this.clearTimer();
    this.move('connecting');
    this.startTimer(this.host.connectTimeoutMs, () => void this.fail());
    this.events.emit('answer', { sdp });
    this.flushSoon();
  }

  /** Candidates from the peer's device. Those from another device than the call's are ignored. */
  remoteCandidates(candidates: readonly IceCandidateLine[], device: number): void {
    if (this.current === 'ended' || this.device !== device) return;
    this.remoteIce.push(...candidates);
    this.events.emit('candidates', candidates);
  }

  /** The peer's device hung up with `reason`. */
  peerHungUp(reason: Extract<CallSignalBody, { t: 'call-hangup' }>['reason'], device: number): void {
    if (this.current === 'ended') return;
    const answered = this.current === 'connecting' || this.current === 'connected';
    // Once answered only the device in the call may end it; before, any device of the peer may refuse.
    if (answered && this.device !== device) return;
    if (!answered && this.direction === 'in' && this.device !== device) return;
    if (reason === 'failed') this.end('failed');
    else if (answered) this.end('ended');
    else if (this.direction === 'in') this.end('missed');
    else if (reason === 'busy') this.end('busy');
    else if (reason === 'missed') this.end('no-answer');
    else this.end('declined');
    // Other devices of the peer may still ring (one refused for all): tell them it is over.
    if (!answered && this.direction === 'out' && reason === 'busy') {
      void this.host.send(this, { t: 'call-hangup', reason: 'hangup' }).catch((e) => this.host.report(e));
    }
  }

  /** Another device of this account answered or declined this ringing call. */
  handledElsewhere(outcome: 'answered-elsewhere' | 'declined'): void {
    if (this.current === 'incoming') this.end(outcome);
  }

  /** Ends without a word to the peer (`silent`: not logged either, e.g. the losing side of glare). */
  end(outcome: CallOutcome, silent = false): void {
    if (this.current === 'ended') return;
    this.clearTimer();
    if (this.iceTimer !== undefined) clearTimeout(this.iceTimer);
    this.iceTimer = undefined;
    this.reason = outcome;
    this.endedTime = this.host.now();
    this.move('ended');
    this.host.ended(this, silent);
  }

  private move(state: CallState): void {
    this.current = state;
    this.events.emit('state', { state, ...(state === 'ended' ? { outcome: this.reason } : {}) });
  }

  private startTimer(ms: number, f: () => void): void {
    this.clearTimer();
    this.timer = setTimeout(f, ms);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flushSoon(): void {
    if (this.iceTimer !== undefined || this.localIce.length === 0) return;
    this.iceTimer = setTimeout(() => {
      this.iceTimer = undefined;
      while (this.localIce.length > 0 && this.current !== 'ended') {
        const candidates = this.localIce.splice(0, ICE_PER_MESSAGE);
        void this.host.send(this, { t: 'call-ice', candidates }).catch((e) => this.host.report(e));
      }
    }, ICE_BATCH_MS);
  }
}
