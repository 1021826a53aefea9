/**
 * The calls of one device: at most one active call at a time (idle otherwise). It starts outgoing calls,
 * routes arriving call signaling to its call, and applies the rules between calls:
 * - a second offer while a call is going on is refused as `busy` (and logged here);
 * - glare (both call each other at once): the call with the smaller id wins on both sides; the loser's
 *   outgoing call ends silently and the winner's offer rings with `replaces` set (an app may accept it);
 * - an offer older than the stale limit by the server's clock (estimated from the connection's challenge,
 *   so a wrong clock here does not matter) is logged as missed and never rings;
 * - an answer or decline from one of this account's other devices stops the ringing here.
 * Signaling from non-contacts never gets here (see receive.ts); blocked accounts' envelopes are dropped.
 */

import { SottoError, toHex } from '@sotto/crypto';
import type { CallContent } from '../content.js';
import type { TypedEmitter } from '../events.js';
import type { CallOutcome, ClientEvents } from '../types.js';
import { Call, type CallHost, type CallSignalBody } from './call.js';
import type { CallTimings, StartCallOptions } from './types.js';

/** Default ring timeout: a call nobody answers counts as missed after this. */
export const RING_TIMEOUT_MS = 45_000;
/** Default time an answered call has to connect its media. */
export const CONNECT_TIMEOUT_MS = 30_000;
/** Default age (server clock) beyond which an offer is only logged as missed. */
export const STALE_OFFER_MS = 60_000;

/** Call signaling as the receive path hands it over (after decryption and the contact checks). */
export interface CallSignal {
  readonly content: CallContent;
  readonly from: { readonly account: string; readonly deviceId: number };
  /** True when one of this account's other devices sent it (then `content.to` names the peer). */
  readonly fromSelf: boolean;
  /** When the server received it. */
  readonly serverTime: number;
}

/** What the manager needs from the client. */
export interface CallManagerDeps {
  /** Encrypts `content(own)` to every device of `peer` and our other devices (own copies carry `to`). */
  readonly send: (peer: string, body: CallSignalBody, callId: Uint8Array) => Promise<void>;
  /** Throws NOT_A_CONTACT or BLOCKED unless `peer` is an accepted, unblocked contact. */
  readonly checkPeer: (peer: string) => Promise<void>;
  /** Writes the log entry of an ended call (and emits it as a `message`). */
  readonly log: (call: Call) => Promise<void>;
  readonly events: TypedEmitter<ClientEvents>;
  readonly now: () => number;
  /** The server's clock as estimated here (ours plus the offset seen when connecting). */
  readonly serverNow: () => number;
  readonly random: (n: number) => Uint8Array;
  readonly report: (err: unknown) => void;
  readonly timings?: CallTimings | undefined;
}

/** The calls of this device: `client.calls`. */
export class CallManager {
  private active: Call | undefined;
  /** Calls known here by id (the active one, and those ended lately, so late signaling is ignored). */
  private readonly known = new Map<string, Call>();
  private readonly ring: number;
  private readonly connect: number;
  private readonly stale: number;

  constructor(private readonly deps: CallManagerDeps) {
    this.ring = deps.timings?.ringTimeoutMs ?? RING_TIMEOUT_MS;
    this.connect = deps.timings?.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    this.stale = deps.timings?.staleOfferMs ?? STALE_OFFER_MS;
  }

  /** The call going on (ringing, connecting or connected), if any. */
  get current(): Call | undefined {
    return this.active;
  }

  /**
   * Calls `peer` (an accepted contact) with the local SDP offer: every device of theirs rings. Resolves
   * once the offer reached the server, with the call in `outgoing`. Throws CALL_BUSY (a call is going on
   * here), NOT_A_CONTACT, BLOCKED, INVALID_ARGUMENT (the SDP), and the refusals of a send (then the call
   * ends as `failed`).
   */
  async start(peer: string, options: StartCallOptions): Promise<Call> {
    if (this.active !== undefined) throw new SottoError('CALL_BUSY');
    await this.deps.checkPeer(peer);
    if (this.active !== undefined) throw new SottoError('CALL_BUSY');
    const call = new Call(this.host(), this.deps.random(16), peer, 'out', options.media, this.deps.now());
    this.track(call);
    try {
      await this.deps.send(peer, { t: 'call-offer', media: options.media, sdp: options.sdp }, call.callId);
    } catch (err) {
      call.end('failed', true);
      throw err;
    }
    if (call.state === 'outgoing') call.ring(this.ring);
    return call;
  }

  /** Hangs up the call going on, if any (when the client closes). */
  async close(): Promise<void> {
    await this.active?.hangup().catch((err) => this.deps.report(err));
  }

  /** Handles call signaling from the receive path (never throws). */
  receive(s: CallSignal): void {
    const c = s.content;
    const id = toHex(c.callId);
    const call = this.known.get(id);
    if (s.fromSelf) {
      // Another device of ours: it answered or declined a call that rings here too. Nothing else matters.
      if (call === undefined || call.peer !== c.to || call.direction !== 'in') return;
      if (c.t === 'call-answer') call.handledElsewhere('answered-elsewhere');
      else if (c.t === 'call-hangup' && c.reason === 'declined') call.handledElsewhere('declined');
      return;
    }
    if (c.t === 'call-offer') {
      if (call === undefined) this.offered(s, c);
      return;
    }
    if (call === undefined || call.peer !== s.from.account) return;
    if (c.t === 'call-answer') call.answered(c.sdp, s.from.deviceId);
    else if (c.t === 'call-ice') call.remoteCandidates(c.candidates, s.from.deviceId);
    else if (c.t === 'call-hangup') call.peerHungUp(c.reason, s.from.deviceId);
  }

  private offered(s: CallSignal, c: Extract<CallContent, { t: 'call-offer' }>): void {
    const peer = s.from.account;
    // By the server's clock, so a device whose own clock is off neither drops fresh calls nor rings old ones.
    const age = Math.max(0, this.deps.serverNow() - s.serverTime);
    const make = (replaces?: string) =>
      new Call(this.host(), c.callId, peer, 'in', c.media, s.serverTime, c.sdp, s.from.deviceId, replaces);
    if (age > this.stale) {
      this.logOnly(make(), 'missed');
      return;
    }
    const active = this.active;
    let replaces: string | undefined;
    if (active !== undefined) {
      const glare = active.direction === 'out' && active.peer === peer && active.state === 'outgoing';
      if (!glare) {
        // Busy: refuse it (the caller sees `busy`) and log it here.
        this.logOnly(make(), 'busy');
        this.deps
          .send(peer, { t: 'call-hangup', reason: 'busy' }, c.callId)
          .catch((err) => this.deps.report(err));
        return;
      }
      // Glare: the smaller call id wins on both sides, so exactly one call survives.
      if (active.id < toHex(c.callId)) return;
      replaces = active.id;
      active.end('cancelled', true);
      // Our other devices' peers may ring for our losing offer: end it there.
      this.deps
        .send(peer, { t: 'call-hangup', reason: 'hangup' }, active.callId)
        .catch((err) => this.deps.report(err));
    }
    const call = make(replaces);
    this.track(call);
    call.ring(this.ring - age);
    this.deps.events.emit('call', call);
  }

  /** Logs a call that never rang (stale or refused as busy). */
  private logOnly(call: Call, outcome: CallOutcome): void {
    this.known.set(call.id, call);
    call.end(outcome);
  }

  private track(call: Call): void {
    this.active = call;
    this.known.set(call.id, call);
  }

  private host(): CallHost {
    return {
      send: (call, body) => this.deps.send(call.peer, body, call.callId),
      ended: (call, silent) => {
        if (this.active === call) this.active = undefined;
        // Keep ended calls known for a while, so their late signaling is ignored, not taken as new.
        setTimeout(() => this.known.delete(call.id), this.stale + this.ring).unref?.();
        if (!silent) this.deps.log(call).catch((err) => this.deps.report(err));
      },
      now: this.deps.now,
      report: this.deps.report,
      ringTimeoutMs: this.ring,
      connectTimeoutMs: this.connect,
    };
  }
}
