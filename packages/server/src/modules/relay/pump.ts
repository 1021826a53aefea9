/**
 * Pushes one connected device's mailbox to it, oldest first: on connect (offline delivery) and whenever
 * the bus says new mail arrived. Envelopes stay stored until acknowledged; a reconnecting device gets
 * every unacknowledged one again (at-least-once; clients drop duplicates by envelope id).
 */
import type { Store } from '../../store/store.js';
import type { Connection } from '../../ws/connection.js';
import type { RelayService } from './relay.js';

const BATCH = 256;

/** The delivery loop of one authenticated connection. */
export class MailboxPump {
  private lastSeq = 0;
  private running = false;
  private again = false;
  private scheduled = false;

  constructor(
    private readonly conn: Connection,
    private readonly store: Store,
    private readonly relay: RelayService,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Delivers whatever is new; coalesces calls while a run is under way. */
  kick(): void {
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
      () => this.finished(),
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

  private async run(): Promise<void> {
    const device = this.conn.device;
    if (device === undefined) return;
    do {
      this.again = false;
      for (;;) {
        if (!this.conn.open) return;
        const batch = await this.store.fetchMailbox(
          device,
          this.lastSeq,
          this.relay.oldestDeliverable(),
          BATCH,
        );
        for (const e of batch) {
          this.conn.send({
            t: 'envelope',
            envelopeId: e.id,
            from: e.sender,
            serverTime: e.receivedAt,
            ephemeral: false,
            body: e.body,
          });
          this.lastSeq = e.seq;
        }
        if (batch.length < BATCH) break;
        await this.conn.drained();
      }
    } while (this.again);
  }
}
