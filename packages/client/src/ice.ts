/**
 * ICE servers for calls (server side: the calls module, ADR 0024): the operator's STUN and TURN servers,
 * TURN with time-limited credentials the server mints per request. They are kept until shortly before
 * they expire, so starting or answering a call does not wait for the server each time.
 */

import { SottoError } from '@sotto/crypto';
import type { IceServer, ServerFrame } from '@sotto/protocol';
import type { Request } from './transport.js';
import type { Clock } from './types.js';

export type { IceServer } from '@sotto/protocol';

/**
 * Fetched credentials are fetched again once less than this share of their lifetime remains (and at least
 * {@link ICE_REFRESH_MIN_MS}), so a call set up with them has time to allocate and refresh.
 */
export const ICE_REFRESH_SHARE = 0.1;
/** The least time before expiry at which credentials are fetched again, in milliseconds. */
export const ICE_REFRESH_MIN_MS = 60_000;

type Send = (frame: Request) => Promise<ServerFrame>;

/** Copies of the entries, so a caller that edits them (as `RTCPeerConnection` users do) spoils no cache. */
const copy = (servers: readonly IceServer[]): IceServer[] =>
  servers.map((s) => ({ ...s, urls: [...s.urls] }));

/** The ICE servers of one client, cached until shortly before their credentials expire. */
export class IceServers {
  private cached: { servers: IceServer[]; refreshAt: number } | undefined;
  private pending: Promise<IceServer[]> | undefined;

  constructor(private readonly clock: Clock) {}

  /**
   * The servers to give `RTCPeerConnection` (`iceServers`): the cached ones while fresh, else new ones from
   * the server (one request however many callers wait). An empty list means the operator configured
   * neither STUN nor TURN. Throws RATE_LIMITED, NOT_CONNECTED.
   */
  async get(request: Send): Promise<IceServer[]> {
    const c = this.cached;
    if (c !== undefined && this.clock.now() < c.refreshAt) return copy(c.servers);
    this.pending ??= this.fetch(request).finally(() => {
      this.pending = undefined;
    });
    return copy(await this.pending);
  }

  /** Forgets the cached servers (after logging out, or when a relayed call failed to authenticate). */
  clear(): void {
    this.cached = undefined;
  }

  private async fetch(request: Send): Promise<IceServer[]> {
    const asked = this.clock.now();
    const f = await request({ t: 'calls.ice' });
    if (f.t !== 'calls.ice.result')
      throw new SottoError('INTERNAL', 'The server answered with another frame.');
    const ttlMs = f.ttlSeconds * 1000;
    const margin = Math.max(ttlMs * ICE_REFRESH_SHARE, ICE_REFRESH_MIN_MS);
    this.cached = { servers: f.iceServers, refreshAt: asked + ttlMs - margin };
    return f.iceServers;
  }
}
