/** The in-process {@link Bus}: one node, no network. */
import type { Bus, BusEvents } from './bus.js';

type Handler = (event: unknown) => void;
/** One subscriber is held as itself (the common case: one connection per key); more in a set. */
type Subscribers = Handler | Set<Handler>;

/** A {@link Bus} whose subscribers live in this process. Delivery is asynchronous (a microtask). */
export class MemoryBus implements Bus {
  /** Subscribers by kind, then key (no per-subscription topic string). */
  private readonly topics = new Map<string, Map<string, Subscribers>>();

  constructor(private readonly onError: (err: unknown) => void = () => {}) {}

  publish<K extends keyof BusEvents>(kind: K, key: string, event: BusEvents[K]): void {
    const subs = this.topics.get(kind)?.get(key);
    if (subs === undefined) return;
    if (typeof subs === 'function') this.deliver(subs, event);
    else for (const h of [...subs]) this.deliver(h, event);
  }

  private deliver(h: Handler, event: unknown): void {
    queueMicrotask(() => {
      try {
        h(event);
      } catch (err) {
        this.onError(err);
      }
    });
  }

  /** True when `kind` events for `key` have a subscriber. */
  has(kind: string, key: string): boolean {
    return this.topics.get(kind)?.has(key) ?? false;
  }

  subscribe<K extends keyof BusEvents>(
    kind: K,
    key: string,
    handler: (event: BusEvents[K]) => void,
  ): () => void {
    let byKey = this.topics.get(kind);
    if (byKey === undefined) {
      byKey = new Map();
      this.topics.set(kind, byKey);
    }
    const h = handler as Handler;
    const cur = byKey.get(key);
    if (cur === undefined) byKey.set(key, h);
    else if (typeof cur === 'function') byKey.set(key, new Set([cur, h]));
    else cur.add(h);
    return () => this.remove(kind, key, h);
  }

  unsubscribe<K extends keyof BusEvents>(kind: K, key: string, handler: (event: BusEvents[K]) => void): void {
    this.remove(kind, key, handler as Handler);
  }

  private remove(kind: string, key: string, h: Handler): void {
    const byKey = this.topics.get(kind);
    const cur = byKey?.get(key);
    if (byKey === undefined || cur === undefined) return;
    if (typeof cur === 'function') {
      if (cur === h) byKey.delete(key);
      return;
    }
    cur.delete(h);
    if (cur.size === 1) for (const only of cur) byKey.set(key, only);
    else if (cur.size === 0) byKey.delete(key);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.topics.clear();
  }
}
