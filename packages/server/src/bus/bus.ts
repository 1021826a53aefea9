/**
 * The `Bus` port: signals between the parts of the server (and, with a Redis adapter, between nodes).
 * It carries routing facts ("device D has mail"), small server frames to push (presence, contact
 * events, `keys.low`), and, with a new envelope's mail signal, that envelope on its way to a connected
 * device (docs/decisions/0025); it stores nothing.
 */
import type { ServerFrame } from '@sotto/protocol';
import type { CacheInvalidation, StoredEnvelope } from '../store/store.js';

/** The events the bus carries, by kind. */
export interface BusEvents {
  /**
   * New envelopes wait in the mailbox of one device (key: {@link deviceKey}). `envelopes` are those
   * envelopes, as stored, when the bus is in-process ({@link MailSignal}); a bus between nodes never
   * carries them, and the subscriber reads the mailbox.
   */
  mail: MailSignal;
  /** A frame for every connected device of an account (key: the account) or for one device (key: {@link deviceKey}). */
  push: { readonly frame: ServerFrame };
  /** The device was removed from its account: close its connections (key: {@link deviceKey}). */
  kick: { readonly account: string; readonly deviceId: number };
  /**
   * A write that nodes' read caches may hold went through (key: {@link CACHE_KEY}); a bus between nodes
   * also hands `all` to its own node after reconnecting (announcements may have been lost meanwhile).
   */
  cache: CacheInvalidation;
}

/** The one key `cache` events travel under. */
export const CACHE_KEY = '*';

/**
 * A `mail` event. With the in-process bus every writer to the mailbox is in this process, and signals
 * arrive in commit order, so a subscriber that has read its mailbox up to some `seq` may hand on the
 * envelopes of later signals without reading them back ({@link MailboxPump}). Between nodes that order
 * does not hold: there a signal may carry its envelopes only with `prev`, and a subscriber hands them on
 * only when it has handed on everything up to `prev` (else it reads the mailbox). A bus between nodes
 * drops the envelopes of a signal without `prev`.
 */
export interface MailSignal {
  readonly account: string;
  readonly deviceId: number;
  readonly envelopes?: readonly StoredEnvelope[] | undefined;
  /**
   * The highest `seq` the mailbox held when the first of `envelopes` was stored (0: it was empty); the
   * envelopes are consecutive in the mailbox. Known to a store that stores under a per-mailbox lock
   * (PostgreSQL, see `postgres-enqueue.ts`): no envelope of the mailbox lies between `prev` and them.
   */
  readonly prev?: number | undefined;
}

/** A publish/subscribe channel. Handlers run asynchronously; a throwing handler does not affect others. */
export interface Bus {
  /** Publishes `event` under `kind` to subscribers of `key`. */
  publish<K extends keyof BusEvents>(kind: K, key: string, event: BusEvents[K]): void;
  /** Subscribes to `kind` events for `key`; returns the unsubscribe function. */
  subscribe<K extends keyof BusEvents>(
    kind: K,
    key: string,
    handler: (event: BusEvents[K]) => void,
  ): () => void;
  /**
   * Undoes one `subscribe(kind, key, handler)` (like calling the function it returned), for a subscriber
   * that keeps its handlers rather than one unsubscribe closure per subscription.
   */
  unsubscribe<K extends keyof BusEvents>(kind: K, key: string, handler: (event: BusEvents[K]) => void): void;
  /** Answers when the bus works (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The bus key of one device. */
export const deviceKey = (account: string, deviceId: number): string => `${account}/${deviceId}`;
