/**
 * Presence (online, away, busy, offline with last seen, status text). It flows only between accepted
 * contacts: every change is pushed to the account's accepted contacts, and a device that connects gets
 * its contacts' current presence. Connected-device counts live in this node's memory (a Redis-backed
 * presence map is the scale-out step); last seen is stored.
 */
import type { FrameOf, PresenceState } from '@sotto/protocol';
import type { Bus } from '../../bus/bus.js';
import type { Clock } from '../../clock.js';
import type { Store } from '../../store/store.js';

interface Live {
  devices: number;
  state: PresenceState;
  text: string | undefined;
}

/** Tracks and publishes presence. */
export class PresenceService {
  private readonly live = new Map<string, Live>();

  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly clock: Clock,
  ) {}

  /** A device of `account` authenticated; the first one makes the account online. */
  async connected(account: string): Promise<void> {
    const cur = this.live.get(account);
    if (cur !== undefined) {
      cur.devices++;
      return;
    }
    this.live.set(account, { devices: 1, state: 'online', text: undefined });
    await this.broadcast(account);
  }

  /** A device of `account` disconnected; after the last one the account is offline, last seen now. */
  async disconnected(account: string): Promise<void> {
    const cur = this.live.get(account);
    if (cur === undefined) return;
    if (--cur.devices > 0) return;
    this.live.delete(account);
    await this.store.setLastSeen(account, this.clock.now());
    await this.broadcast(account);
  }

  /** The account sets its presence (while at least one device is connected). */
  async set(account: string, state: PresenceState, text: string | undefined): Promise<void> {
    const cur = this.live.get(account);
    if (cur === undefined) return;
    cur.state = state;
    cur.text = text;
    await this.broadcast(account);
  }

  /** The `presence` frame describing `account` now. */
  async frameOf(account: string): Promise<FrameOf<'presence'>> {
    const cur = this.live.get(account);
    if (cur !== undefined && cur.state !== 'offline') {
      return {
        t: 'presence',
        account,
        state: cur.state,
        ...(cur.text === undefined ? {} : { text: cur.text }),
      };
    }
    const lastSeen = cur === undefined ? await this.store.getLastSeen(account) : this.clock.now();
    return { t: 'presence', account, state: 'offline', ...(lastSeen === undefined ? {} : { lastSeen }) };
  }

  /** Pushes `account`'s presence to each of its accepted contacts. */
  async broadcast(account: string): Promise<void> {
    const frame = await this.frameOf(account);
    for (const c of await this.store.listContacts(account)) {
      if (c.state === 'accepted') this.bus.publish('push', c.peer, { frame });
    }
  }

  /** The presence frames of `account`'s accepted contacts (for a device that just connected). */
  async contactsPresence(account: string): Promise<FrameOf<'presence'>[]> {
    const out: FrameOf<'presence'>[] = [];
    for (const c of await this.store.listContacts(account)) {
      if (c.state === 'accepted') out.push(await this.frameOf(c.peer));
    }
    return out;
  }
}
