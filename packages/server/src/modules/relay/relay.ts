/**
 * The relay (DESIGN §4, §5): checks a send against the current device lists, stores every envelope of it
 * durably in one transaction BEFORE the sender's `sent`, signals the recipients' devices over the bus
 * (with the stored envelopes, which an in-process bus hands on to a connected device),
 * and deletes an envelope only when its device acknowledges it. Ephemeral sends (typing) are pushed to
 * connected devices and never stored.
 */
import type { FrameOf } from '@sotto/protocol';
import { type Bus, deviceKey } from '../../bus/bus.js';
import type { Clock } from '../../clock.js';
import { ApiError } from '../../errors.js';
import type { ContactState, DeviceAddress, EnvelopeRef, NewEnvelope, Store } from '../../store/store.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import { deviceDifference } from './device-set.js';
import { EnvelopeIds } from './envelope-ids.js';
import { SendBatcher } from './send-batcher.js';

const NO_DEVICES: readonly number[] = [];

/** What the relay reads to check one send (a send to one's own account needs only `ours`). */
interface SendFacts {
  readonly recipientExists: boolean;
  /** The recipient blocked the sender's account. */
  readonly blocked: boolean;
  /** The sender's relation to the recipient. */
  readonly contact: ContactState | undefined;
  /** The recipient's device ids. */
  readonly theirs: readonly number[];
  /** The sender's own device ids. */
  readonly ours: readonly number[];
}

/** The relay's limits. */
export interface RelayLimits {
  readonly mailboxMaxEnvelopes: number;
  readonly mailboxMaxAgeMs: number;
  readonly maxMessagesPerSend: number;
}

/** A send that passed every check and is queued for storage, in acceptance order. */
export interface AcceptedSend {
  /**
   * The `sent` answer, resolved only once the envelopes are durable; rejects with MAILBOX_FULL (nothing
   * of the send stored) or when the store fails. The caller must handle it.
   */
  readonly sent: Promise<FrameOf<'sent'>>;
}

/**
 * Sees every accepted send: gets its `sent` answer (resolving once stored, or rejecting) and returns the
 * answer to give (the notifications module adds whether the recipient is busy, and schedules emails).
 */
export type SendHook = (
  sender: DeviceAddress,
  to: string,
  sent: Promise<FrameOf<'sent'>>,
) => Promise<FrameOf<'sent'>>;

const NO_HOOK: SendHook = (_sender, _to, sent) => sent;

/** Sends, acknowledgements and expiry. Delivery to a connection is {@link MailboxPump}'s job. */
export class RelayService {
  private readonly ids = new EnvelopeIds();
  private lastStamp = 0;
  private readonly writer: SendBatcher;

  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly clock: Clock,
    private readonly metrics: ServerMetrics,
    private readonly limits: RelayLimits,
    private readonly afterSend: SendHook = NO_HOOK,
  ) {
    this.writer = new SendBatcher(store, limits.mailboxMaxEnvelopes, (n) =>
      metrics.envelopesStored.inc({}, n),
    );
  }

  /**
   * Accepts a send from `sender`. Resolves with the `sent` answer only after the envelopes are durable.
   * Throws ACCOUNT_NOT_FOUND, BLOCKED, NOT_A_CONTACT, DEVICE_MISMATCH (with the difference),
   * INVALID_ARGUMENT (too many messages) or MAILBOX_FULL.
   */
  async send(sender: DeviceAddress, frame: FrameOf<'send'>): Promise<FrameOf<'sent'>> {
    return (await this.accept(sender, frame)).sent;
  }

  /**
   * Checks a send and queues it for storage; resolves once it is queued, so the sender's next frame can be
   * checked while this one is written. Sends accepted in order are stored in that order. Throws what
   * {@link RelayService.send} throws, except MAILBOX_FULL, which `sent` rejects with.
   */
  async accept(sender: DeviceAddress, frame: FrameOf<'send'>): Promise<AcceptedSend> {
    const now = this.acceptNow(sender, frame);
    if (now !== undefined) return now;
    const to = frame.to;
    const self = to === sender.account;
    const [recipientExists, blocked, contact, theirs, ours] = await Promise.all([
      self || this.store.accountExists(to),
      !self && this.store.isBlocked(to, sender.account),
      self ? ('accepted' as const) : this.store.getContact(sender.account, to),
      self ? NO_DEVICES : this.store.listDeviceIds(to),
      this.store.listDeviceIds(sender.account),
    ]);
    return this.admit(sender, frame, { recipientExists, blocked, contact, theirs, ours });
  }

  /**
   * {@link RelayService.accept} without waiting, when the store answers its reads at once
   * ({@link Store.immediate}); undefined when it cannot (then call `accept`). Throws what `accept` throws.
   */
  acceptNow(sender: DeviceAddress, frame: FrameOf<'send'>): AcceptedSend | undefined {
    const reads = this.store.immediate;
    if (reads === undefined) return this.acceptCached(sender, frame);
    const to = frame.to;
    const self = to === sender.account;
    return this.admit(sender, frame, {
      recipientExists: self || reads.accountExists(to),
      blocked: !self && reads.isBlocked(to, sender.account),
      contact: self ? 'accepted' : reads.getContact(sender.account, to),
      theirs: self ? NO_DEVICES : reads.listDeviceIds(to),
      ours: reads.listDeviceIds(sender.account),
    });
  }

  /** {@link acceptNow} from the store's cache ({@link Store.cached}); undefined when a fact is not cached. */
  private acceptCached(sender: DeviceAddress, frame: FrameOf<'send'>): AcceptedSend | undefined {
    const c = this.store.cached;
    if (c === undefined) return undefined;
    const to = frame.to;
    const self = to === sender.account;
    const recipientExists = self || c.accountExists(to);
    const blocked = !self && c.isBlocked(to, sender.account);
    const contact = self ? 'accepted' : c.getContact(sender.account, to);
    const theirs = self ? NO_DEVICES : c.listDeviceIds(to);
    const ours = c.listDeviceIds(sender.account);
    if (
      recipientExists === undefined ||
      blocked === undefined ||
      contact === undefined ||
      theirs === undefined ||
      ours === undefined
    ) {
      return undefined;
    }
    return this.admit(sender, frame, {
      recipientExists,
      blocked,
      contact: contact ?? undefined,
      theirs,
      ours,
    });
  }

  /**
   * Every check of a send, on the facts read for it; then its envelopes are queued for storage. The
   * messages must address exactly the recipient's devices (`theirs`) and the sender's other devices.
   */
  private admit(sender: DeviceAddress, frame: FrameOf<'send'>, facts: SendFacts): AcceptedSend {
    if (frame.messages.length > this.limits.maxMessagesPerSend) {
      throw new ApiError(
        'INVALID_ARGUMENT',
        `A send carries at most ${this.limits.maxMessagesPerSend} messages.`,
      );
    }
    if (!facts.recipientExists) throw new ApiError('ACCOUNT_NOT_FOUND');
    if (facts.blocked) throw new ApiError('BLOCKED');
    if (facts.contact !== 'accepted') throw new ApiError('NOT_A_CONTACT');
    const expected: DeviceAddress[] = [];
    for (const deviceId of facts.theirs) expected.push({ account: frame.to, deviceId });
    for (const deviceId of facts.ours) {
      if (deviceId !== sender.deviceId) expected.push({ account: sender.account, deviceId });
    }
    const diff = deviceDifference(expected, frame.messages);
    if (diff !== undefined) {
      throw new ApiError('DEVICE_MISMATCH', 'The messages do not address exactly the current devices.', diff);
    }

    const now = this.stamp();
    const envelopes: NewEnvelope[] = frame.messages.map((m) => ({
      id: this.ids.next(),
      sender,
      recipient: { account: m.account, deviceId: m.deviceId },
      body: m.body,
      receivedAt: now,
    }));
    const sent: FrameOf<'sent'> = {
      t: 'sent',
      id: frame.id,
      envelopeIds: envelopes.map((e) => e.id),
      serverTime: now,
    };

    const stored = this.writer.write(envelopes).then((written) => {
      if (written === undefined) throw new ApiError('MAILBOX_FULL');
      const { seqs, prevs } = written;
      envelopes.forEach((e, i) => {
        const { account, deviceId } = e.recipient;
        const prev = prevs?.[i];
        const signal = { account, deviceId, envelopes: [{ ...e, seq: seqs[i] ?? 0 }], prev };
        this.bus.publish('mail', deviceKey(account, deviceId), signal);
      });
      return sent;
    });
    return { sent: this.afterSend(sender, frame.to, stored) };
  }

  /**
   * The receive time of a send: the clock, but never before the previous stamp, so this node stamps
   * envelopes in the order they are stored (expiry walks that order; a clock stepped back does not
   * make a later envelope look older).
   */
  private stamp(): number {
    const now = this.clock.now();
    if (now > this.lastStamp) this.lastStamp = now;
    return this.lastStamp;
  }

  /** Deletes the envelopes `device` acknowledged (as sent to it: see {@link MailboxPump.acknowledged}). */
  async ack(device: DeviceAddress, acks: readonly EnvelopeRef[]): Promise<void> {
    const n = await this.store.ackEnvelopes(device, acks);
    this.metrics.envelopesDelivered.inc({}, n);
  }

  /** Deletes envelopes older than the mailbox age limit; returns how many. */
  async expire(): Promise<number> {
    const n = await this.store.expireEnvelopes(this.clock.now() - this.limits.mailboxMaxAgeMs);
    this.metrics.envelopesExpired.inc({}, n);
    return n;
  }

  /** Envelopes older than this are neither delivered nor kept. */
  oldestDeliverable(): number {
    return this.clock.now() - this.limits.mailboxMaxAgeMs;
  }
}
