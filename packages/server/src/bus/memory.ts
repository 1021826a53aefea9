/** The in-process {@link Bus}: one node, no network. */
import type { Bus, BusEvents } from './bus.js';

type Handler = (event: unknown) => void;

/** A {@link Bus} whose subscribers live in this process. Delivery is asynchronous (a microtask). */
export class MemoryBus implements Bus {
  private readonly topics = new Map<string, Set<Handler>>();

  constructor(private readonly onError: (err: unknown) => void = () => {}) {}

  publish<K extends keyof BusEvents>(kind: K, key: string, event: BusEvents[K]): void {
    const handlers = this.topics.get(`${kind}:${key}`);
    if (handlers === undefined) return;
    for (const h of [...handlers]) {
      queueMicrotask(() => {
        try {
          h(event);
        } catch (err) {
          this.onError(err);
        }
      });
    }
  }

  subscribe<K extends keyof BusEvents>(
    kind: K,
    key: string,
    handler: (event: BusEvents[K]) => void,
  ): () => void {
    const topic = `${kind}:${key}`;
    let set = this.topics.get(topic);
    if (set === undefined) {
      set = new Set();
      this.topics.set(topic, set);
    }
    const h = handler as Handler;
    set.add(h);
    return () => {
      const s = this.topics.get(topic);
      if (s === undefined) return;
      s.delete(h);
      if (s.size === 0) this.topics.delete(topic);
    };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.topics.clear();
  }
}
