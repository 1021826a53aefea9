/**
 * Presence shared by every node through Redis. The in-process {@link PresenceService} counts connected
 * devices in one node's memory; behind a load balancer an account's devices sit on several nodes, so one
 * node alone cannot tell when the account goes online or offline. Here each account has one Redis hash:
 * a device count per node (`n:<node>`). A node counts only nodes that are alive (a key each refreshes
 * with a TTL), so a killed node's devices stop counting after `ttlMs`. Pushes still travel over the bus;
 * the chosen state, status text and last seen are in the store, as on one node.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Bus } from '../bus/bus.js';
import type { Clock } from '../clock.js';
import { PresenceService } from '../modules/contacts/presence.js';
import type { Store } from '../store/store.js';

const NODE_FIELD = 'n:';

/** {@link PresenceService} over a Redis hash per account. */
export class RedisPresence extends PresenceService {
  private readonly node = randomBytes(8).toString('hex');
  /** Devices of each account connected to this node. */
  private readonly here = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  /**
   * `prefix` names the deployment (the bus channel); `ttlMs` is how long a silent node still counts.
   * Call {@link RedisPresence.start} before use and {@link RedisPresence.close} at shutdown.
   */
  constructor(
    store: Store,
    bus: Bus,
    clock: Clock,
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs = 30_000,
  ) {
    super(store, bus, clock);
    this.timer = setInterval(() => this.heartbeat().catch(() => {}), Math.max(1, ttlMs / 3));
    this.timer.unref();
  }

  private key(account: string): string {
    return `${this.prefix}:presence:${account}`;
  }

  private nodeKey(node: string): string {
    return `${this.prefix}:node:${node}`;
  }

  /**
   * Keeps this node alive and re-asserts its device counts, so they come back if another node took this
   * one for dead (a long Redis outage) and deleted them.
   */
  private async heartbeat(): Promise<void> {
    const pipe = this.redis.pipeline();
    pipe.set(this.nodeKey(this.node), '1', 'PX', this.ttlMs);
    for (const [account, n] of this.here) pipe.hset(this.key(account), `${NODE_FIELD}${this.node}`, n);
    await pipe.exec();
  }

  /** Marks this node alive. Throws when Redis does not answer. */
  async start(): Promise<void> {
    await this.heartbeat();
  }

  /** Stops the heartbeat and forgets this node's devices. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const accounts = [...this.here.keys()];
    this.here.clear();
    const multi = this.redis.multi();
    for (const a of accounts) multi.hdel(this.key(a), `${NODE_FIELD}${this.node}`);
    multi.del(this.nodeKey(this.node));
    await multi.exec();
  }

  /**
   * How many of the account's devices are connected to live nodes other than this one. Fields of dead
   * nodes are deleted on the way, so a killed node leaves nothing behind.
   */
  private async othersConnected(account: string): Promise<number> {
    const fields = await this.redis.hgetall(this.key(account));
    const mine = `${NODE_FIELD}${this.node}`;
    const counts = Object.entries(fields)
      .filter(([f]) => f.startsWith(NODE_FIELD) && f !== mine)
      .map(([f, v]) => ({ field: f, node: f.slice(NODE_FIELD.length), n: Number(v) }));
    if (counts.length === 0) return 0;
    const alive = await this.redis.mget(counts.map((c) => this.nodeKey(c.node)));
    let others = 0;
    const stale: string[] = [];
    counts.forEach((c, i) => {
      if (alive[i] !== null && c.n > 0) others += c.n;
      else if (alive[i] === null) stale.push(c.field);
    });
    if (stale.length > 0) await this.redis.hdel(this.key(account), ...stale);
    return others;
  }

  override async connected(account: string): Promise<void> {
    this.here.set(account, (this.here.get(account) ?? 0) + 1);
    const n = await this.redis.hincrby(this.key(account), `${NODE_FIELD}${this.node}`, 1);
    if (n !== 1) return;
    if ((await this.othersConnected(account)) > 0) return;
    await this.broadcast(account);
  }

  override async disconnected(account: string): Promise<void> {
    const mine = this.here.get(account);
    if (mine === undefined) return;
    if (mine > 1) this.here.set(account, mine - 1);
    else this.here.delete(account);
    const n = await this.redis.hincrby(this.key(account), `${NODE_FIELD}${this.node}`, -1);
    if (n > 0) return;
    await this.redis.hdel(this.key(account), `${NODE_FIELD}${this.node}`);
    if ((await this.othersConnected(account)) > 0) return;
    await this.store.setLastSeen(account, this.clock.now());
    await this.broadcast(account);
  }

  protected override async isConnected(account: string): Promise<boolean> {
    return this.here.has(account) || (await this.othersConnected(account)) > 0;
  }
}
