/**
 * Builds the store, the bus, presence and the shared state (login tokens, rate limits) the configuration
 * names: SQLite in the data directory, the in-process bus and memory by default; PostgreSQL and Redis for
 * several nodes. The network adapters load only when named, so a single node never loads `pg` or `ioredis`.
 */
import { join } from 'node:path';
import { type Bus, CACHE_KEY } from './bus/bus.js';
import { MemoryBus } from './bus/memory.js';
import type { Clock } from './clock.js';
import type { ServerConfig } from './config.js';
import { PresenceService } from './modules/contacts/presence.js';
import { memorySharedState } from './shared/memory-state.js';
import type { SharedState } from './shared/shared-state.js';
import { openSqliteStore } from './store/sqlite.js';
import type { Store } from './store/store.js';

/** The database file's name inside the data directory. */
export const DATABASE_FILE = 'sotto.db';

/**
 * Opens the configured store and applies migrations. Throws when PostgreSQL does not answer or its schema
 * is newer than this server, or when the SQLite file cannot be opened.
 */
async function openConfiguredStore(
  config: Pick<ServerConfig, 'store' | 'dataDir'>,
  onError: (err: unknown) => void,
): Promise<Store> {
  if (config.store === undefined) return openSqliteStore(join(config.dataDir, DATABASE_FILE));
  const { openPostgresStore } = await import('./store/postgres.js');
  return openPostgresStore(config.store, { onError });
}

/** Connects the configured bus. Throws when Redis does not answer at start. */
async function openConfiguredBus(
  config: Pick<ServerConfig, 'bus'>,
  onError: (err: unknown) => void,
): Promise<Bus> {
  if (config.bus === undefined) return new MemoryBus(onError);
  const { RedisBus } = await import('./bus/redis.js');
  return RedisBus.connect(config.bus, { onError });
}

/** Connects the store's per-node read cache, if it has one, to the other nodes' over the bus. */
function linkCache(store: Store, bus: Bus): void {
  const link = store.sharedCache;
  if (link === undefined) return;
  link.announce((change) => bus.publish('cache', CACHE_KEY, change));
  bus.subscribe('cache', CACHE_KEY, (change) => link.invalidate(change));
}

/** Presence and shared state, and how to stop them. */
interface ConfiguredShared {
  readonly presence: PresenceService;
  readonly state: SharedState;
  close(): Promise<void>;
}

/**
 * Presence and shared state for the configured bus: in this node's memory by default; in Redis when the
 * bus is Redis (presence a hash per account, see {@link RedisPresence}; tokens and counters, see
 * `redis-state.ts`), on one connection. Throws when Redis does not answer at start.
 */
async function openConfiguredShared(
  config: Pick<ServerConfig, 'bus'>,
  deps: { store: Store; bus: Bus; clock: Clock; onError: (err: unknown) => void },
): Promise<ConfiguredShared> {
  const { store, bus, clock, onError } = deps;
  if (config.bus === undefined)
    return {
      presence: new PresenceService(store, bus, clock),
      state: memorySharedState(clock),
      close: async () => {},
    };
  const [{ parseRedisUrl }, { RedisPresence }, { redisSharedState }, { Redis }] = await Promise.all([
    import('./bus/redis.js'),
    import('./presence/redis-presence.js'),
    import('./shared/redis-state.js'),
    import('ioredis'),
  ]);
  const { url, channel } = parseRedisUrl(config.bus);
  // Auto-pipelining batches the rate-limit checks of one tick (every send takes one) into one write.
  const redis = new Redis(url, {
    lazyConnect: true,
    connectionName: `sotto-state-${channel}`,
    enableAutoPipelining: true,
  });
  redis.on('error', onError);
  try {
    await redis.connect();
    const presence = new RedisPresence(store, bus, clock, redis, channel);
    await presence.start();
    return {
      presence,
      state: redisSharedState(redis, channel),
      close: async () => {
        await presence.close().catch(onError);
        await redis.quit().catch(onError);
      },
    };
  } catch (err) {
    redis.disconnect();
    throw err;
  }
}

/** The store, bus, presence and shared state a server runs on, closed together. */
export interface Adapters {
  readonly store: Store;
  readonly bus: Bus;
  readonly presence: PresenceService;
  /** Login tokens and rate-limit counters (in Redis when the bus is). */
  readonly state: SharedState;
  /** Closes presence, then the bus, then the store. */
  close(): Promise<void>;
}

/**
 * Opens what `config` names, except the parts given in `given` (tests, embedders). On failure closes
 * whatever it had opened already and throws.
 */
export async function openAdapters(
  config: Pick<ServerConfig, 'store' | 'bus' | 'dataDir'>,
  given: { store?: Store | undefined; bus?: Bus | undefined; clock: Clock; onError: (err: unknown) => void },
): Promise<Adapters> {
  const { clock, onError } = given;
  const store = given.store ?? (await openConfiguredStore(config, onError));
  let bus: Bus | undefined;
  try {
    bus = given.bus ?? (await openConfiguredBus(config, onError));
    linkCache(store, bus);
    // A bus given by the caller is not ours to pair with Redis presence and state.
    const shared = await openConfiguredShared(given.bus === undefined ? config : {}, {
      store,
      bus,
      clock,
      onError,
    });
    const openBus = bus;
    return {
      store,
      bus: openBus,
      presence: shared.presence,
      state: shared.state,
      close: async () => {
        await shared.close();
        await openBus.close();
        await store.close();
      },
    };
  } catch (err) {
    await bus?.close();
    await store.close();
    throw err;
  }
}
