/**
 * A queue drained after the current turn of the event loop, one drain at a time: what is pushed during a
 * turn (and while a drain runs) is handed to `drain` together, in push order. The relay's group commit and
 * PostgreSQL's batched acks are built on it.
 */

/** Items queued for batches. */
export class TurnQueue<T> {
  private readonly items: T[] = [];
  private running = false;

  /**
   * @param drain Takes a batch off the front of the queue it is given (with `splice`) and handles it;
   *   called again while items remain. It must settle each item it takes and should not reject: a
   *   rejection ends this round, and what remains waits for the next push.
   */
  constructor(private readonly drain: (queue: T[]) => Promise<void>) {}

  /** Queues `item`; starts draining after this turn's I/O callbacks unless a drain is running. */
  push(item: T): void {
    this.items.push(item);
    if (this.running) return;
    this.running = true;
    setImmediate(() => {
      this.run().catch(() => {});
    });
  }

  private async run(): Promise<void> {
    try {
      while (this.items.length > 0) await this.drain(this.items);
    } finally {
      this.running = false;
    }
  }
}
