/**
 * Pushes one connected device's mailbox to it, oldest first: on connect (offline delivery) and whenever
 * the bus says new mail arrived. Envelopes stay stored until acknowledged; a reconnecting device gets
 * every unacknowledged one again (at-least-once; clients drop duplicates by envelope id).
 *
 * A mail signal that carries its envelopes (the in-process bus, see {@link MailSignal}) is handed on
 * without reading the mailbox back, but only while the pump is caught up: its last read found everything
 * committed before it, and every later commit is signalled in commit order, so the envelopes of a signal
 * with `seq` above the last one sent are exactly the next ones. Otherwise (a read under way or due, a
 * congested socket, a signal without envelopes) the signal just asks for a read.
 *
 * Between nodes signals arrive in any order, so a signal from the bus between nodes carries `prev`, the
 * highest `seq` its mailbox held before its envelopes (no envelope lies between): its envelopes are the
 * next ones only when everything up to `prev` was handed on here (`lastSeq >= prev`); else it asks for
 * a read (which finds the one whose signal is still on its way).
 */
import type { FrameOf } from '@sotto/protocol';
import type { MailSignal } from '../../bus/bus.js';
import type { EnvelopeRef, Store, StoredEnvelope } from '../../store/store.js';
import type { Connection } from '../../ws/connection.js';
import { DeliveredEnvelopes } from './delivered.js';
import type { RelayService } from './relay.js';

const BATCH = 256;

/** The delivery loop of one authenticated connection. */
export class MailboxPump {
  private lastSeq = 0;
  /** What was sent and not acknowledged (created on the first envelope: idle connections hold none). */
  private delivered: DeliveredEnvelopes | undefined;
  /** True once a read found the mailbox drained and none has been asked for since. */
  private caughtUp = false;
  private running = false;
  private again = false;
  private scheduled = false;
  /**
   * Signals with `prev` that arrived while a read was under way (created on the first: idle connections
   * hold none); handed on when it ends, or covered by the next read (see {@link settle}).
   */
  private stash: MailSignal[] | undefined;

  constructor(
    private readonly conn: Connection,
    private readonly store: Store,
    private readonly relay: RelayService,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** A mail signal arrived: hands its envelopes on when that is safe (see above), else reads the mailbox. */
  signal(mail: MailSignal): void {
    const envelopes = mail.envelopes;
    if (this.running && !this.again && envelopes !== undefined && mail.prev !== undefined) {
      // The read under way may not see these envelopes; kept until it ends rather than asking for
      // another read at once (under steady traffic that would keep this pump reading forever).
      if (this.stash === undefined) this.stash = [];
      this.stash.push(mail);
      return;
    }
    if (
      envelopes === undefined ||
      !this.caughtUp ||
      this.scheduled ||
      this.conn.congested ||
      (mail.prev !== undefined && mail.prev > this.lastSeq)
    ) {
      this.kickSoon();
      return;
    }
    this.handOn(envelopes);
  }

  private handOn(envelopes: readonly StoredEnvelope[]): void {
    const oldest = this.relay.oldestDeliverable();
    for (const e of envelopes) {
      if (!this.conn.open) return;
      if (e.seq <= this.lastSeq) continue;
      if (e.receivedAt >= oldest) this.deliver(e);
      else this.lastSeq = e.seq;
    }
  }

  /**
   * After a read that drained the mailbox: hands on the stashed signals' envelopes it did not see, in
   * arrival order, while each one's `prev` shows nothing lies before it unseen; at the first that does
   * not (or a congested socket), asks for another read, which covers the rest. True when all were
   * handed on.
   */
  private settle(): boolean {
    const stash = this.stash;
    this.stash = undefined;
    if (stash === undefined) return true;
    for (const mail of stash) {
      const unseen = mail.envelopes?.some((e) => e.seq > this.lastSeq) ?? false;
      if (!unseen) continue;
      if (this.conn.congested || mail.prev === undefined || mail.prev > this.lastSeq) return false;
      this.handOn(mail.envelopes ?? []);
    }
    return true;
  }

  /**
   * The envelopes among `ids` that this connection was sent and had not acknowledged, forgotten here;
   * the rest are ignored (see {@link DeliveredEnvelopes}).
   */
  acknowledged(ids: readonly Uint8Array[]): EnvelopeRef[] {
    return this.delivered?.take(ids) ?? [];
  }

  private deliver(e: StoredEnvelope): void {
    const frame: FrameOf<'envelope'> = {
      t: 'envelope',
      envelopeId: e.id,
      from: e.sender,
      serverTime: e.receivedAt,
      body: e.body,
    };
    // A group's envelope says which group, what it carries and its epoch (ADR 0018).
    if (e.group !== undefined) frame.group = e.group;
    this.conn.send(frame);
    if (this.delivered === undefined) this.delivered = new DeliveredEnvelopes();
    this.delivered.add(e.seq, e.id);
    this.lastSeq = e.seq;
  }

  /** Delivers whatever is new; coalesces calls while a run is under way. */
  kick(): void {
    this.caughtUp = false;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.runNow();
  }

  /**
   * Like {@link kick}, but starts the run after the current microtasks: the `mail` signals of one group
   * commit arrive as a burst of microtasks, and one mailbox read then serves all of them.
   */
  kickSoon(): void {
    this.caughtUp = false;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.kick();
    });
  }

  private runNow(): void {
    this.run().then(
      (drained) => {
        // Caught up only when no signal arrived since the last read began (it would have set `again`),
        // and every signal stashed meanwhile could be handed on.
        if (drained && !this.again) {
          if (this.settle()) this.caughtUp = true;
          else this.again = true;
        }
        this.finished();
      },
      (err) => {
        this.onError(err);
        this.finished();
      },
    );
  }

  /** A kick that arrived after the run's last check but before it settled must not be lost. */
  private finished(): void {
    this.running = false;
    if (this.again) this.kick();
  }

  /** Reads and sends until the mailbox is drained (true) or the connection closed (false). */
  private async run(): Promise<boolean> {
    const device = this.conn.device;
    if (device === undefined) return false;
    do {
      this.again = false;
      // This read finds every envelope signalled so far (its signal followed its commit).
      this.stash = undefined;
      for (;;) {
        if (!this.conn.open) return false;
        const batch = await this.store.fetchMailbox(
          device,
          this.lastSeq,
          this.relay.oldestDeliverable(),
          BATCH,
        );
        for (const e of batch) this.deliver(e);
        if (batch.length < BATCH) break;
        await this.conn.drained();
      }
    } while (this.again);
    return true;
  }
}
