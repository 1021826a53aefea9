/** Callbacks by message id: what a component subscribes to for one message's transfer state. */
export class Watchers {
  private readonly byId = new Map<string, Set<() => void>>();

  /** Calls `fn` on each {@link notify} of `id`; returns the unsubscribe function. */
  watch(id: string, fn: () => void): () => void {
    let set = this.byId.get(id);
    if (set === undefined) {
      set = new Set();
      this.byId.set(id, set);
    }
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.byId.delete(id);
    };
  }

  /** Calls the callbacks of `id`. */
  notify(id: string): void {
    for (const fn of this.byId.get(id) ?? []) fn();
  }
}
