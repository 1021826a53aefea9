/**
 * A tiny typed event emitter: one instance per client, no global state. A listener that throws is
 * isolated so one bad listener cannot break delivery to the others or the client's own loop.
 */

/** A listener of event payload `T`. */
export type Listener<T> = (payload: T) => void;

/** Emits events named by the keys of `E`, each with its payload type. */
export class TypedEmitter<E extends object> {
  private readonly listeners = new Map<keyof E, Set<Listener<never>>>();

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  /** Unsubscribes a listener added with {@link on}. */
  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    this.listeners.get(event)?.delete(listener as Listener<never>);
  }

  /** Subscribes for the first event only. */
  once<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    const off = this.on(event, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  /** Calls every listener of `event` with `payload`, in subscription order. */
  emit<K extends keyof E>(event: K, payload: E[K]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const l of [...set]) {
      try {
        (l as Listener<E[K]>)(payload);
      } catch (err) {
        // A listener's bug must not break the client; report it without its payload.
        console.error('sotto client: an event listener threw', (err as Error)?.name ?? 'error');
      }
    }
  }
}
