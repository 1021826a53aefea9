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
import type { DeviceAddress, EnvelopeRef, NewEnvelope, Store } from '../../store/store.js';
import type { ContactsService } from '../contacts/contacts.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import { deviceDifference } from './device-set.js';
import { EnvelopeIds } from './envelope-ids.js';
import { SendBatcher } from './send-batcher.js';

const NO_DEVICES: readonly number[] = [];

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

/** Sends, acknowledgements and expiry. Delivery to a connection is {@link MailboxPump}'s job. */
export class RelayService {
  private readonly ids = new EnvelopeIds();
  private lastStamp = 0;
  private readonly writer: SendBatcher;

  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly clock: Clock,
    private readonly contacts: ContactsService,
    private readonly metrics: ServerMetrics,
    private readonly limits: RelayLimits,
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
    this.checkSize(frame);
    const self = frame.to === sender.account;
    if (!self) {
      if (!(await this.store.accountExists(frame.to))) throw new ApiError('ACCOUNT_NOT_FOUND');
      if (await this.store.isBlocked(frame.to, sender.account)) throw new ApiError('BLOCKED');
      if (!(await this.contacts.areContacts(sender.account, frame.to))) throw new ApiError('NOT_A_CONTACT');
    }
    const theirs = self ? NO_DEVICES : await this.store.listDeviceIds(frame.to);
    return this.admit(sender, frame, theirs, await this.store.listDeviceIds(sender.account));
  }

  /**
   * {@link RelayService.accept} without waiting, when the store answers its reads at once
   * ({@link Store.immediate}); undefined when it cannot (then call `accept`). Throws what `accept` throws.
   */
  acceptNow(sender: DeviceAddress, frame: FrameOf<'send'>): AcceptedSend | undefined {
    const reads = this.store.immediate;
    if (reads === undefined) return undefined;
    this.checkSize(frame);
    const self = frame.to === sender.account;
    if (!self) {
      if (!reads.accountExists(frame.to)) throw new ApiError('ACCOUNT_NOT_FOUND');
      if (reads.isBlocked(frame.to, sender.account)) throw new ApiError('BLOCKED');
      if (reads.getContact(sender.account, frame.to) !== 'accepted') throw new ApiError('NOT_A_CONTACT');
    }
    const theirs = self ? NO_DEVICES : reads.listDeviceIds(frame.to);
    return this.admit(sender, frame, theirs, reads.listDeviceIds(sender.account));
  }

  private checkSize(frame: FrameOf<'send'>): void {
    if (frame.messages.length > this.limits.maxMessagesPerSend) {
      throw new ApiError(
        'INVALID_ARGUMENT',
        `A send carries at most ${this.limits.maxMessagesPerSend} messages.`,
      );
    }
  }

  /**
   * The checks that need no reads: the messages must address exactly the recipient's devices
   * (`theirs`) and the sender's other devices (`ours`). Then the envelopes are queued for storage.
   */
  private admit(
    sender: DeviceAddress,
    frame: FrameOf<'send'>,
    theirs: readonly number[],
    ours: readonly number[],
  ): AcceptedSend {
    const expected: DeviceAddress[] = [];
    for (const deviceId of theirs) expected.push({ account: frame.to, deviceId });
    for (const deviceId of ours) {
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

    if (frame.ephemeral === true) {
      for (const e of envelopes) {
        this.bus.publish('push', deviceKey(e.recipient.account, e.recipient.deviceId), {
          frame: {
            t: 'envelope',
            envelopeId: e.id,
            from: sender,
            serverTime: now,
            ephemeral: true,
            body: e.body,
          },
        });
      }
      return { sent: Promise.resolve(sent) };
    }

    const stored = this.writer.write(envelopes).then((seqs) => {
      if (seqs === undefined) throw new ApiError('MAILBOX_FULL');
      envelopes.forEach((e, i) => {
        const { account, deviceId } = e.recipient;
        const signal = { account, deviceId, envelopes: [{ ...e, seq: seqs[i] ?? 0 }] };
        this.bus.publish('mail', deviceKey(account, deviceId), signal);
      });
      return sent;
    });
    return { sent: stored };
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
