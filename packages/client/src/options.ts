/**
 * The options of {@link createClient} and of the client's methods that take an options object.
 */

import type { CryptoProvider } from '@sotto/crypto';
import type { CallTimings } from './calls/types.js';
import type { ClientStore } from './store/store.js';
import type { WebSocketConstructor } from './transport.js';
import type { Clock, ProgressEvent } from './types.js';

/** What {@link createClient} needs. */
export interface ClientOptions {
  /** One server URL (`https://chat.example.org`), or several to fail over between (same deployment). */
  readonly server: string | readonly string[];
  /** Where the profile lives (keys, sessions, contacts, history). */
  readonly store: ClientStore;
  /** Crypto backend; default the portable one (WebCrypto + noble), which runs everywhere. */
  readonly provider?: CryptoProvider;
  /** Default: `Date`. */
  readonly clock?: Clock;
  /** Default: `globalThis.WebSocket`, else the `ws` package (Node 20). */
  readonly WebSocket?: WebSocketConstructor;
  /** Reconnect backoff bounds in ms (default 250 … 10,000, with jitter). */
  readonly reconnect?: { readonly minDelayMs?: number; readonly maxDelayMs?: number };
  /** How long a request may wait for its answer (default 15,000 ms; then TIMEOUT). */
  readonly requestTimeoutMs?: number;
  /** One-time prekeys of each kind kept on the server (default 50). */
  readonly prekeyBatch?: number;
  /** One-time MLS KeyPackages kept on the server per group suite, for being added to groups (default 16). */
  readonly keyPackageBatch?: number;
  /**
   * Keep every received message in a durable inbox until {@link SottoClient.clearInbox} (for clients that
   * report each message once, like a terminal's `receive`). Default false.
   */
  readonly inbox?: boolean;
  /**
   * Ciphertext bytes per upload request of a file (default 4 MiB, at least 64 KiB; rounded up to whole
   * chunks), or in Node, where the file streams in one request, per step of it. Two such batches are in
   * memory per upload: the one on the wire and the next one being encrypted.
   */
  readonly uploadBatchBytes?: number;
  /**
   * The `fetch` file transfers use (uploads then go in one request per batch). Default: the global one,
   * except for uploads in Node, which stream over node:http (faster for large bodies, see ADR 0015).
   */
  readonly fetch?: typeof fetch;
  /** Ring, connect and stale-offer timeouts of calls (defaults: 45 s, 30 s, 60 s). */
  readonly calls?: CallTimings;
}

/** Options of {@link SottoClient.register}. */
export interface RegisterOptions {
  readonly name: string;
  readonly password: string;
  /** Register even when the password is weak (score < 3). Default false: WEAK_PASSWORD. */
  readonly allowWeakPassword?: boolean;
  /** Called for every step (also emitted as the `progress` event). */
  readonly onProgress?: (p: ProgressEvent) => void;
  /** A name for this device, shown on the account's other devices (end to end encrypted). */
  readonly deviceName?: string;
  /**
   * The invite the server's operator gave (`sotto-server admin tokens create`), for a server that registers
   * only with one (`--registration token`); other servers ignore it.
   */
  readonly invite?: string;
}

/** Options of {@link SottoClient.login}. */
export interface LoginOptions {
  readonly name: string;
  readonly password: string;
  /** A name for this device, shown on the account's other devices (end to end encrypted). */
  readonly deviceName?: string;
}

/** Options of {@link SottoClient.history}. */
export interface HistoryOptions {
  /** At most this many messages (the latest ones); default 100. */
  readonly limit?: number;
  /** Only messages sent before this time (sender clock, ms), for paging back. */
  readonly before?: number;
  /** Only messages before this one (a message id) in the conversation's order: exact paging back. */
  readonly beforeId?: string;
}
