/**
 * Contacts, like XMPP subscriptions: request, accept, decline, remove, block, unblock. Both parties (and
 * one's own other devices) get a `contacts.event` push; accepted contacts exchange presence. A blocked
 * party is refused with BLOCKED and is not told about the block otherwise.
 */
import type { ContactEntry, FrameOf } from '@sotto/protocol';
import type { Bus } from '../../bus/bus.js';
import { ApiError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import type { PresenceService } from './presence.js';

type EventKind = FrameOf<'contacts.event'>['kind'];
type EntryState = FrameOf<'contacts.event'>['state'];

/** The contacts module's logic. */
export class ContactsService {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly presence: PresenceService,
  ) {}

  private event(to: string, kind: EventKind, about: string, state: EntryState): void {
    this.bus.publish('push', to, { frame: { t: 'contacts.event', kind, account: about, state } });
  }

  private async mustExist(account: string): Promise<void> {
    if (!(await this.store.accountExists(account))) throw new ApiError('ACCOUNT_NOT_FOUND');
  }

  /** `from` asks `to`. Throws ACCOUNT_NOT_FOUND, INVALID_ARGUMENT (oneself) or BLOCKED. */
  async request(from: string, to: string): Promise<void> {
    if (from === to) throw new ApiError('INVALID_ARGUMENT', 'An account cannot be its own contact.');
    await this.mustExist(to);
    if (await this.store.isBlocked(to, from)) throw new ApiError('BLOCKED');
    // Asking someone lifts one's own block on them.
    await this.store.unblock(from, to);
    const result = await this.store.requestContact(from, to);
    if (result === 'pending') {
      this.event(from, 'request', to, 'outgoing');
      this.event(to, 'request', from, 'incoming');
    } else if (result === 'accepted') {
      await this.accepted(from, to);
    }
  }

  /** `owner` accepts `peer`'s pending request. Throws NOT_A_CONTACT when there is none. */
  async accept(owner: string, peer: string): Promise<void> {
    if (!(await this.store.acceptContact(owner, peer))) {
      throw new ApiError('NOT_A_CONTACT', 'There is no pending request from this account.');
    }
    await this.accepted(owner, peer);
  }

  private async accepted(a: string, b: string): Promise<void> {
    this.event(a, 'accept', b, 'accepted');
    this.event(b, 'accept', a, 'accepted');
    this.bus.publish('push', a, { frame: await this.presence.frameOf(b) });
    this.bus.publish('push', b, { frame: await this.presence.frameOf(a) });
  }

  /** `owner` declines `peer`'s pending request. Throws NOT_A_CONTACT when there is none. */
  async decline(owner: string, peer: string): Promise<void> {
    if ((await this.store.getContact(owner, peer)) !== 'incoming') {
      throw new ApiError('NOT_A_CONTACT', 'There is no pending request from this account.');
    }
    await this.store.removeContact(owner, peer);
    this.event(owner, 'decline', peer, 'none');
    this.event(peer, 'decline', owner, 'none');
  }

  /** Ends the relation (or cancels one's own request). Throws NOT_A_CONTACT when there is none. */
  async remove(owner: string, peer: string): Promise<void> {
    if (!(await this.store.removeContact(owner, peer))) throw new ApiError('NOT_A_CONTACT');
    this.event(owner, 'remove', peer, 'none');
    this.event(peer, 'remove', owner, 'none');
  }

  /** `owner` blocks `peer`: any relation ends, and `peer`'s requests and messages are refused. */
  async block(owner: string, peer: string): Promise<void> {
    if (owner === peer) throw new ApiError('INVALID_ARGUMENT', 'An account cannot block itself.');
    await this.mustExist(peer);
    const wasContact = (await this.store.getContact(owner, peer)) !== undefined;
    await this.store.block(owner, peer);
    this.event(owner, 'block', peer, 'blocked');
    // The peer only sees the relation end, never the block itself.
    if (wasContact) this.event(peer, 'remove', owner, 'none');
  }

  /** Lifts a block. */
  async unblock(owner: string, peer: string): Promise<void> {
    await this.store.unblock(owner, peer);
    this.event(owner, 'unblock', peer, 'none');
  }

  /** `owner`'s contact entries, blocked accounts included. */
  async list(owner: string): Promise<ContactEntry[]> {
    const entries: ContactEntry[] = (await this.store.listContacts(owner)).map((c) => ({
      account: c.peer,
      state: c.state,
    }));
    for (const b of await this.store.listBlocked(owner)) entries.push({ account: b, state: 'blocked' });
    return entries;
  }

  /** True when `a` and `b` are accepted contacts. */
  async areContacts(a: string, b: string): Promise<boolean> {
    return (await this.store.getContact(a, b)) === 'accepted';
  }
}
