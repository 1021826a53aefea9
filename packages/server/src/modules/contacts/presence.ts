/**
 * Presence (online, away, busy, offline with last seen, status text). It flows only between accepted
 * contacts: every change is pushed to the account's accepted contacts, and a device that connects gets
 * its contacts' current presence. What the account chose (state and text) is stored with it, as is when
 * its last device left, so a reconnect or a server restart shows contacts the same choice again until the
 * account makes another. Only which accounts have a device connected lives in memory: here in this node's
 * (one node), in Redis for several (`RedisPresence`).
 */
import type { FrameOf, PresenceState } from '@sotto/protocol';
import type { Bus } from '../../bus/bus.js';
import type { Clock } from '../../clock.js';
import type { Store, StoredPresence } from '../../store/store.js';

/**
 * The `presence` frame of `account`: its chosen state (online until it chose one) and text while a device
 * is connected; offline with the last-seen time when none is, or when it chose to appear offline (then
 * last seen is now, as before a choice was stored).
 */
export function presenceFrame(
  account: string,
  connected: boolean,
  chosen: StoredPresence | undefined,
  now: number,
): FrameOf<'presence'> {
  const state = chosen?.state ?? 'online';
  if (connected && state !== 'offline') {
    return { t: 'presence', account, state, ...(chosen?.text === undefined ? {} : { text: chosen.text }) };
  }
  const lastSeen = connected ? now : chosen?.lastSeen;
  return { t: 'presence', account, state: 'offline', ...(lastSeen === undefined ? {} : { lastSeen }) };
}

/** Tracks and publishes presence; counts connected devices in this node's memory. */
export class PresenceService {
  /** Connected devices per account. */
  private readonly live = new Map<string, number>();
  /** Told of every change this node makes (see {@link onChange}). */
  private readonly listeners: ((account: string) => void)[] = [];

  constructor(
    protected readonly store: Store,
    private readonly bus: Bus,
    protected readonly clock: Clock,
  ) {}

  /** A device of `account` authenticated; the first one makes the account online. */
  async connected(account: string): Promise<void> {
    const devices = (this.live.get(account) ?? 0) + 1;
    this.live.set(account, devices);
    if (devices === 1) await this.broadcast(account);
  }

  /** A device of `account` disconnected; after the last one the account is offline, last seen now. */
  async disconnected(account: string): Promise<void> {
    const devices = this.live.get(account);
    if (devices === undefined) return;
    if (devices > 1) {
      this.live.set(account, devices - 1);
      return;
    }
    this.live.delete(account);
    await this.store.setLastSeen(account, this.clock.now());
    await this.broadcast(account);
  }

  /** The account chooses its presence (kept until it chooses again) and its contacts are told. */
  async set(account: string, state: PresenceState, text: string | undefined): Promise<void> {
    await this.store.setPresence(account, state, text);
    await this.broadcast(account);
  }

  /** Whether a device of `account` is connected (to any node). */
  protected async isConnected(account: string): Promise<boolean> {
    return this.live.has(account);
  }

  /** The `presence` frame describing `account` now. */
  async frameOf(account: string): Promise<FrameOf<'presence'>> {
    const [connected, chosen] = await Promise.all([
      this.isConnected(account),
      this.store.getPresence(account),
    ]);
    return presenceFrame(account, connected, chosen, this.clock.now());
  }

  /**
   * Calls `listener` with the account whenever this node changes its presence (a device came or went, or a
   * state was chosen); changes made through other nodes are not seen here.
   */
  onChange(listener: (account: string) => void): void {
    this.listeners.push(listener);
  }

  /** Pushes `account`'s presence to each of its accepted contacts. */
  async broadcast(account: string): Promise<void> {
    for (const l of this.listeners) l(account);
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
