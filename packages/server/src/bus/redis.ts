/**
 * The Redis {@link Bus}, for several nodes: one publisher and one subscriber connection (ioredis), and one
 * pub/sub channel that every node subscribes to once, at start. Routing by kind and key happens in each
 * node (an in-process {@link MemoryBus}), so a device's subscription is in place the moment `subscribe`
 * returns: there is no window in which a per-key Redis SUBSCRIBE is still on its way.
 *
 * Events for this node's own subscribers are delivered locally at once, and its own messages coming back
 * from Redis are ignored. The events of one turn of the event loop go out as one PUBLISH. Redis only signals: it stores nothing, and a message lost while a connection is
 * down costs latency, never mail. After a reconnect every local mailbox subscriber is told to look again.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { type Bus, type BusEvents, CACHE_KEY, type MailSignal } from './bus.js';
import { MemoryBus } from './memory.js';
import { type BusMessage, batchFromNode, decodeBusMessages, encodeBusBatch } from './redis-codec.js';

/** Options of {@link RedisBus.connect}. */
export interface RedisBusOptions {
  /** Overrides the URL's `channel` parameter (default `sotto`): nodes of one deployment share it. */
  readonly channel?: string | undefined;
  /** Connection and handler errors (the bus keeps going). */
  readonly onError?: ((err: unknown) => void) | undefined;
  /** How long `ping` waits for Redis, in milliseconds (default 2000). */
  readonly pingTimeoutMs?: number | undefined;
}

/** True for a URL this adapter accepts (`redis://` or `rediss://`). */
export const isRedisUrl = (url: string): boolean => /^rediss?:\/\//.test(url);

/**
 * Splits a bus URL into the Redis URL and the deployment's channel name (`?channel=`, default `sotto`).
 * Throws when the URL is not `redis://` or `rediss://`.
 */
export function parseRedisUrl(url: string, channel?: string): { url: string; channel: string } {
  if (!isRedisUrl(url)) throw new Error('the bus URL must start with redis:// or rediss://');
  const parsed = new URL(url);
  const name = channel ?? parsed.searchParams.get('channel') ?? 'sotto';
  parsed.searchParams.delete('channel');
  return { url: parsed.toString(), channel: name };
}

/** A {@link Bus} over Redis pub/sub. Construct with {@link RedisBus.connect}. */
export class RedisBus implements Bus {
  private readonly node = new Uint8Array(randomBytes(16));
  private readonly local: MemoryBus;
  /** Mailbox subscriptions of this node, by key, with how many subscribers each has. */
  private readonly mailKeys = new Map<string, number>();
  private closed = false;
  /** Events published in this turn of the event loop, sent as one PUBLISH after it. */
  private outbox: Omit<BusMessage, 'node'>[] = [];

  private constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly channel: string,
    private readonly onError: (err: unknown) => void,
    private readonly pingTimeoutMs: number,
  ) {
    this.local = new MemoryBus(onError);
  }

  /**
   * Connects both connections and subscribes to the channel. Throws when Redis does not answer at start
   * (later outages are retried forever, with backoff).
   */
  static async connect(url: string, options: RedisBusOptions = {}): Promise<RedisBus> {
    const { url: redisUrl, channel } = parseRedisUrl(url, options.channel);
    const onError = options.onError ?? (() => {});
    const open = (role: string) => {
      const r = new Redis(redisUrl, {
        lazyConnect: true,
        autoResubscribe: false,
        // Named, so an operator can tell Sotto's connections apart in CLIENT LIST.
        connectionName: `sotto-${role}-${channel}`,
        retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 5_000),
      });
      r.on('error', onError);
      return r;
    };
    const pub = open('pub');
    const sub = open('sub');
    try {
      await Promise.all([pub.connect(), sub.connect()]);
      const bus = new RedisBus(pub, sub, `${channel}:bus`, onError, options.pingTimeoutMs ?? 2_000);
      await bus.listen();
      return bus;
    } catch (err) {
      pub.disconnect();
      sub.disconnect();
      throw err;
    }
  }

  private async listen(): Promise<void> {
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      if (channel.toString() !== this.channel) return;
      this.receive(message);
    });
    // Registered after the first connect: every later `ready` is a reconnect. Resubscribe (confirmed),
    // then let local mailboxes look again for mail whose signal was lost meanwhile.
    this.sub.on('ready', () => {
      this.sub.subscribe(this.channel).then(
        () => this.recheckMailboxes(),
        (err: unknown) => this.onError(err),
      );
    });
    await this.sub.subscribe(this.channel);
  }

  /** Events without a subscriber on this node are not decoded. */
  private readonly wanted = (kind: string, key: string): boolean => this.local.has(kind, key);

  private receive(message: Buffer): void {
    try {
      const bytes = new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
      if (batchFromNode(bytes, this.node)) return;
      for (const m of decodeBusMessages(bytes, this.wanted)) {
        if (Buffer.compare(m.node, this.node) === 0) return;
        this.local.publish(m.kind, m.key, m.event);
      }
    } catch (err) {
      this.onError(err);
    }
  }

  /**
   * Mail signals and cache announcements may have been missed while disconnected: every local mailbox
   * looks again, and read caches forget everything.
   */
  private recheckMailboxes(): void {
    this.local.publish('cache', CACHE_KEY, { kind: 'all' });
    for (const key of this.mailKeys.keys()) {
      const slash = key.lastIndexOf('/');
      const deviceId = Number(key.slice(slash + 1));
      if (slash > 0 && Number.isInteger(deviceId)) {
        this.local.publish('mail', key, { account: key.slice(0, slash), deviceId });
      }
    }
  }

  publish<K extends keyof BusEvents>(kind: K, key: string, event: BusEvents[K]): void {
    if (this.closed) return;
    const e = withoutUnorderedEnvelopes(kind, event);
    this.local.publish(kind, key, e);
    this.outbox.push({ kind, key, event: e } as Omit<BusMessage, 'node'>);
    if (this.outbox.length === 1) setImmediate(this.flush);
  }

  /** Sends this turn's events as one message (one PUBLISH, one delivery per node). */
  private readonly flush = (): void => {
    const batch = this.outbox;
    this.outbox = [];
    if (batch.length === 0) return;
    let bytes: Uint8Array;
    try {
      bytes = encodeBusBatch(this.node, batch);
    } catch (err) {
      // One bad event (a push whose frame fails its schema) must not silence the others.
      if (batch.length > 1) {
        for (const m of batch) {
          this.outbox = [m];
          this.flush();
        }
      } else this.onError(err);
      return;
    }
    this.pub
      .publish(this.channel, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
      .catch(this.onError);
  };

  subscribe<K extends keyof BusEvents>(
    kind: K,
    key: string,
    handler: (event: BusEvents[K]) => void,
  ): () => void {
    const unsubscribe = this.local.subscribe(kind, key, handler);
    if (kind !== 'mail') return unsubscribe;
    this.mailKeys.set(key, (this.mailKeys.get(key) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      unsubscribe();
      this.forgetMailKey(key);
    };
  }

  unsubscribe<K extends keyof BusEvents>(kind: K, key: string, handler: (event: BusEvents[K]) => void): void {
    this.local.unsubscribe(kind, key, handler);
    if (kind === 'mail') this.forgetMailKey(key);
  }

  private forgetMailKey(key: string): void {
    const n = (this.mailKeys.get(key) ?? 1) - 1;
    if (n <= 0) this.mailKeys.delete(key);
    else this.mailKeys.set(key, n);
  }

  async ping(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('redis did not answer')), this.pingTimeoutMs);
    });
    try {
      await Promise.race([this.pub.ping(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    await this.local.close();
    await Promise.allSettled([this.sub.quit(), this.pub.quit()]);
  }
}

/**
 * A mail signal without its envelopes unless it has `prev`; other events as they are. Signals from other
 * nodes may arrive out of commit order, so a subscriber of this bus may skip its mailbox read only when
 * `prev` shows it has everything before them (see {@link MailSignal}).
 */
function withoutUnorderedEnvelopes<K extends keyof BusEvents>(kind: K, event: BusEvents[K]): BusEvents[K] {
  if (kind !== 'mail') return event;
  const { account, deviceId, envelopes, prev } = event as MailSignal;
  if (envelopes === undefined || prev !== undefined) return event;
  return { account, deviceId } as BusEvents[K];
}
