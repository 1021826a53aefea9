/**
 * A one-at-a-time queue. Session states, prekeys and counters are read, advanced and written back; running
 * those steps strictly in order is what keeps a ratchet state from being used twice.
 */

/** Runs tasks one after another, in the order they were queued. */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  /** Queues `task`; resolves or rejects with its result once it ran. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
