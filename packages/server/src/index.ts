/**
 * @sotto/server: the composition root. `startServer` builds every part (store, bus, services, HTTP and
 * WebSocket) from one config, starts listening, and returns a handle whose `close()` drains and stops it.
 * No module reaches for a global: each gets what it needs here.
 */
import { mkdirSync } from 'node:fs';
import { createNodeProvider } from '@sotto/crypto';
import type { DestinationStream } from 'pino';
import { openAdapters } from './adapters.js';
import { createApp } from './app.js';
import { type Bus, deviceKey } from './bus/bus.js';
import { type Clock, systemClock } from './clock.js';
import type { ServerConfig } from './config.js';
import { RateLimiter } from './limits/rate-limiter.js';
import { createLogger } from './log.js';
import { AccountService } from './modules/auth/accounts.js';
import { ChallengeAuth } from './modules/auth/challenge.js';
import { AcceptedOrigins } from './modules/auth/origins.js';
import { registerAuthRoutes } from './modules/auth/routes.js';
import { openServerSetup } from './modules/auth/server-setup.js';
import { createCallHandlers } from './modules/calls/handlers.js';
import { ContactsService } from './modules/contacts/contacts.js';
import { DirectoryService } from './modules/directory/directory.js';
import { registerDirectoryRoutes } from './modules/directory/routes.js';
import { FilesService } from './modules/files/files.js';
import { openBlobStore } from './modules/files/open-blob-store.js';
import { registerFilesRoutes } from './modules/files/routes.js';
import { type SweepResult, sweepFiles } from './modules/files/sweep.js';
import { createGroupMetrics } from './modules/groups/group-metrics.js';
import { GroupsService } from './modules/groups/groups.js';
import { createGroupHandlers } from './modules/groups/handlers.js';
import { suiteField } from './modules/groups/key-package-suite.js';
import { KeyPackageService } from './modules/groups/key-packages.js';
import { registerProcessMetrics } from './modules/metrics/process-metrics.js';
import { Info } from './modules/metrics/registry.js';
import { registerHealthRoutes } from './modules/metrics/routes.js';
import { createServerMetrics } from './modules/metrics/server-metrics.js';
import { smtpMailer } from './modules/notify/mailer.js';
import { NotifyService } from './modules/notify/notify.js';
import { LiveDevices } from './modules/operator/live-devices.js';
import { OperatorLoop } from './modules/operator/operator-loop.js';
import { RegistrationPolicy } from './modules/operator/registration.js';
import { RelayService } from './modules/relay/relay.js';
import type { Store } from './store/store.js';
import { clientAddress, trustFunction } from './trust-proxy.js';
import { serverVersion } from './version.js';
import { registerWebStatic } from './web-static.js';
import { Hub } from './ws/hub.js';
import { createRouter } from './ws/router.js';
import { startSession } from './ws/session.js';

export { DATABASE_FILE } from './adapters.js';
export { type AdminIo, runAdmin } from './admin/main.js';
export type { Clock } from './clock.js';
export type { RegistrationMode, ServerConfig, ServerLimits } from './config.js';
export { ConfigError, DEFAULT_SERVER_LIMITS, defaultConfig, parseConfig } from './config.js';
export { SERVER_SETUP_FILE, ServerSetupError } from './modules/auth/server-setup.js';
export {
  DEFAULT_TURN_TTL_SECONDS,
  parseTurn,
  TurnSecret,
  type TurnSettings,
} from './modules/calls/turn-config.js';
export { turnCredential } from './modules/calls/turn-credentials.js';
export { FILES_DIR } from './modules/files/open-blob-store.js';
export type { S3Location } from './modules/files/s3-location.js';
export type { SweepResult } from './modules/files/sweep.js';
export type { SmtpSettings } from './modules/notify/smtp-config.js';

/** Replaceable parts, for tests and for other deployments (PostgreSQL store, Redis bus). */
export interface ServerDeps {
  readonly clock?: Clock;
  /** Where pino writes (default stdout). */
  readonly logDestination?: DestinationStream;
  /** Default: what `config.store` names (PostgreSQL), else SQLite at `<dataDir>/sotto.db`. */
  readonly store?: Store;
  /** Default: what `config.bus` names (Redis), else the in-process bus. */
  readonly bus?: Bus;
}

/** A running server. */
export interface RunningServer {
  /** `http://host:port` or `https://host:port`; the WebSocket is the same with `ws`/`wss` and `/v1/ws`. */
  readonly url: string;
  readonly port: number;
  /**
   * Mails the notifications due now (they also go out by timers, and every `notifySweepMs`); returns how
   * many were mailed. Always 0 without a mail server.
   */
  notifyNow(): Promise<number>;
  /**
   * Deletes envelopes past the mailbox age limit now (it also runs every `expirySweepMs`), then sweeps
   * groups (old commits, groups without devices, bodies no envelope points at); returns how many envelopes.
   */
  expireNow(): Promise<number>;
  /**
   * Runs the files sweep now: expiry (also every `expirySweepMs`) and, unless `collect` is false, garbage
   * collection of the blob store (also every `fileCollectionIntervalMs`).
   */
  sweepFilesNow(collect?: boolean): Promise<SweepResult>;
  /**
   * Stops accepting, tells connected devices to go away (1001) and waits up to `drainMs` (default 5 s) for
   * them, finishes in-flight requests, and closes storage. Idempotent.
   */
  close(drainMs?: number): Promise<void>;
}

/**
 * Builds and starts a server. Runs migrations, creates the OPAQUE setup file on the first start of a
 * deployment, and warns when serving plain HTTP. Throws `ServerSetupError` when the OPAQUE setup is missing
 * or is not the deployment's (see `openServerSetup`); throws when the port is taken, the data directory is
 * unusable, or the configured PostgreSQL or Redis does not answer.
 */
export async function startServer(config: ServerConfig, deps: ServerDeps = {}): Promise<RunningServer> {
  const clock = deps.clock ?? systemClock;
  const logger = createLogger(config.logLevel, deps.logDestination);
  const onError = (err: unknown) =>
    logger.error({ err: { message: (err as Error)?.message } }, 'internal error');
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const adapters = await openAdapters(config, { store: deps.store, bus: deps.bus, clock, onError });
  const { store, bus, presence, state } = adapters;
  const crypto = createNodeProvider();
  const serverSetup = await openServerSetup({
    dataDir: config.dataDir,
    file: config.opaqueSetupFile,
    store,
  }).catch(async (err: unknown) => {
    await adapters.close();
    throw err;
  });
  const limits = config.limits;
  const blobs = await openBlobStore(config.files, config.dataDir).catch(async (err: unknown) => {
    await adapters.close();
    throw err;
  });

  let draining = false;
  const readDepth = () => store.mailboxDepthEstimate?.() ?? store.mailboxDepth();
  let mailboxDepth = await readDepth();
  let fileUsage = await store.files.usage();
  let groupCount = await store.groups.count();
  let hub: Hub | undefined;
  const live = new LiveDevices();
  const metrics = createServerMetrics({
    connections: () => hub?.size ?? 0,
    mailboxDepth: () => mailboxDepth,
    files: () => fileUsage,
    devicesOnline: () => live.size,
  });
  const stopProcessMetrics = registerProcessMetrics(metrics.registry);
  metrics.registry.register(
    new Info('sotto_build_info', 'The running server: its version, Node.js, and the store and bus it uses.', {
      version: serverVersion(),
      node: process.version,
      store: config.store === undefined ? 'sqlite' : 'postgres',
      bus: config.bus === undefined ? 'memory' : 'redis',
    }),
  );
  const operator = new OperatorLoop({
    admin: store.admin,
    live,
    clock,
    logger,
    totals: () => ({
      sends: metrics.framesOut.get({ type: 'sent' }),
      envelopes: metrics.envelopesStored.get(),
    }),
    version: serverVersion(),
  });
  await operator.start().catch(async (err: unknown) => {
    stopProcessMetrics();
    await blobs.close();
    await adapters.close();
    throw err;
  });
  const groupMetrics = createGroupMetrics(metrics, { groups: () => groupCount });

  const registration = new RegistrationPolicy(config.registration, store.admin, clock);
  const accounts = new AccountService(store, crypto, serverSetup, clock, limits, state, registration);
  const directory = new DirectoryService(store, crypto, limits);
  const contacts = new ContactsService(store, bus, presence);
  let url = '';
  const notify = new NotifyService({
    store,
    presence,
    mailer: config.smtp === undefined ? undefined : smtpMailer(config.smtp),
    clock,
    logger,
    registry: metrics.registry,
    codeLimit: state.rateLimit('notify-codes', limits.notifyCodesPerAccountPerHour, 60 * 60_000),
    serverName: () => new URL(config.publicOrigins[0] ?? url).host,
    limits: {
      offlineDelayMs: limits.notifyOfflineDelayMs,
      busyDelayMs: limits.notifyBusyDelayMs,
      windowMs: limits.notifyWindowMs,
      retryMs: limits.notifyRetryMs,
      sweepMs: limits.notifySweepMs,
      codeTtlMs: limits.notifyCodeTtlMs,
      codeAttempts: limits.notifyCodeAttempts,
    },
    onError,
  });
  const relay = new RelayService(store, bus, clock, metrics, limits, (sender, to, sent) =>
    notify.afterSend(sender, to, sent),
  );
  const files = new FilesService(store, blobs, clock, limits, onError);
  const origins = new AcceptedOrigins(config.publicOrigins);
  const auth = new ChallengeAuth(store, crypto, clock, origins, logger);
  const groups = new GroupsService(store, bus, clock, groupMetrics, limits);
  const keyPackages = new KeyPackageService(store, limits, groupMetrics, (device, suite, count) =>
    bus.publish('push', deviceKey(device.account, device.deviceId), {
      frame: { t: 'mls.keys.low', ...suiteField(suite), count },
    }),
  );
  const sendLimit = state.rateLimit('send', limits.sendsPerDevicePerSecond * 60, 60_000, { hot: true });

  const onDeviceListChanged = async (account: string, removed: readonly number[]) => {
    for (const id of removed) bus.publish('kick', deviceKey(account, id), { account, deviceId: id });
    const frame = { t: 'devices.changed', account } as const;
    bus.publish('push', account, { frame });
    for (const c of await store.listContacts(account)) {
      if (c.state === 'accepted') bus.publish('push', c.peer, { frame });
    }
  };

  const trustProxy = trustFunction(config.trustProxy);
  const app = createApp(config, logger, metrics, trustProxy);
  registerHealthRoutes(app, { store, bus, metrics, draining: () => draining });
  registerAuthRoutes(app, {
    accounts,
    directory,
    maxBodyBytes: limits.maxBodyBytes,
    ipLimit: state.rateLimit('ip', limits.loginAttemptsPerIpPerMinute),
    accountLimit: state.rateLimit('account', limits.loginAttemptsPerAccountPerMinute),
    onDeviceListChanged,
  });
  registerDirectoryRoutes(app, directory);
  registerFilesRoutes(app, {
    records: store.files,
    blobs,
    clock,
    logger,
    maxFileBytes: limits.maxFileBytes,
    fileMaxAgeMs: limits.fileMaxAgeMs,
    allowOrigin: (origin) => origins.has(origin),
    onFinished: (bytes) => {
      metrics.filesFinished.inc();
      metrics.fileBytesFinished.inc({}, bytes);
    },
  });
  if (config.webDir !== undefined) registerWebStatic(app, config.webDir);

  const route = createRouter({
    auth,
    directory,
    contacts,
    presence,
    relay,
    files,
    notify: notify.emails,
    fileLimit: state.rateLimit('files', limits.fileAuthorizationsPerAccountPerMinute),
    sendLimit,
    bundleLimit: state.rateLimit('bundles', limits.bundleFetchesPerRequesterPerMinute),
    prekeyLowWaterMark: limits.prekeyLowWaterMark,
    onAuthenticated: (conn) => {
      if (conn.open) live.add(conn);
      return startSession(conn, { bus, store, relay, presence, onError });
    },
    onDeviceListChanged,
    pushKeysLow: (device, r) =>
      bus.publish('push', deviceKey(device.account, device.deviceId), {
        frame: { t: 'keys.low', oneTime: r.x25519, kem: r.mlkem },
      }),
    moduleHandlers: {
      ...createGroupHandlers({
        groups,
        keyPackages,
        sendLimit,
        claimLimit: state.rateLimit('key-package-claims', limits.keyPackageClaimsPerRequesterPerMinute),
      }),
      ...createCallHandlers({
        turn: config.turn,
        clock,
        iceLimit: state.rateLimit('calls-ice', limits.iceRequestsPerDevicePerMinute),
      }),
    },
  });

  await app.ready();
  hub = new Hub(app.server, {
    maxFrameBytes: limits.maxFrameBytes,
    maxGroupFrameBytes: limits.maxGroupFrameBytes,
    metrics,
    logger,
    badFrames: new RateLimiter(clock, limits.badFramesPerMinute),
    handle: route,
    authTimeoutMs: limits.authTimeoutMs,
    heartbeatMs: limits.heartbeatMs,
    scheme: config.tls === undefined ? 'http' : 'https',
    clientAddress: (req) => clientAddress(req, trustProxy),
    upgradeLimit: state.rateLimit('connections-ip', limits.connectionsPerIpPerMinute),
    onOpen: (conn) => auth.challenge(conn),
    onConnectionClosed: (conn) => live.remove(conn),
  });

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await hub.drain(0);
    await app.close();
    stopProcessMetrics();
    await operator.stop().catch(onError);
    await notify.close();
    await blobs.close();
    await adapters.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const scheme = config.tls === undefined ? 'http' : 'https';
  origins.listening(scheme, config.host, port);
  logger.info({ origins: origins.all }, 'devices may sign connections for these origins (--public-origin)');
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  url = `${scheme}://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  if (config.turn !== undefined) {
    // The secret renders as [redacted] (TurnSecret).
    logger.info({ calls: config.turn }, 'calls: devices are given these STUN and TURN servers (--turn-url)');
  }
  if (config.registration !== 'open') {
    logger.info(
      { registration: config.registration },
      'registration is not open to everyone (--registration)',
    );
  }
  if (config.tls === undefined) {
    logger.warn(
      { url },
      'serving plain HTTP without TLS: use only on localhost or behind a TLS-terminating proxy (--tls-cert/--tls-key)',
    );
  } else {
    logger.info({ url }, 'serving HTTPS and WSS');
  }

  const expireNow = async () => {
    const n = await relay.expire();
    await groups.sweep();
    mailboxDepth = await readDepth();
    groupCount = await store.groups.count();
    return n;
  };
  const sweepFilesNow = async (collect = true) => {
    const result = await sweepFiles(
      { records: store.files, blobs, now: () => clock.now(), fileMaxAgeMs: limits.fileMaxAgeMs, onError },
      collect,
    );
    metrics.filesExpired.inc({}, result.expired);
    metrics.filesCollected.inc({}, result.collected);
    fileUsage = await store.files.usage();
    return result;
  };
  const timers = [
    setInterval(() => expireNow().catch(onError), limits.expirySweepMs),
    setInterval(() => sweepFilesNow(false).catch(onError), limits.expirySweepMs),
    setInterval(() => sweepFilesNow(true).catch(onError), limits.fileCollectionIntervalMs),
    setInterval(() => {
      readDepth().then((d) => {
        mailboxDepth = d;
      }, onError);
      store.files.usage().then((u) => {
        fileUsage = u;
      }, onError);
    }, 5_000),
    setInterval(() => operator.tick().catch(onError), limits.operatorPollMs),
  ];
  for (const t of timers) t.unref();

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    expireNow,
    sweepFilesNow,
    notifyNow: () => notify.runNow(),
    close: (drainMs = 5_000) => {
      closing ??= (async () => {
        const started = performance.now();
        draining = true;
        for (const t of timers) clearInterval(t);
        await hub?.drain(drainMs);
        // Node 20's close() leaves a connection that never sent a request (browsers open them ahead of
        // need) until headersTimeout, a minute: once the drain time is up, every connection still open
        // is closed (HTTP requests in flight had that long to finish, like WebSockets).
        const force = setTimeout(
          () => app.server.closeAllConnections(),
          Math.max(0, drainMs - (performance.now() - started)),
        );
        await app.close();
        clearTimeout(force);
        stopProcessMetrics();
        await operator.stop().catch(onError);
        await notify.close();
        await blobs.close();
        await adapters.close();
        logger.info('server stopped');
      })();
      return closing;
    },
  };
}
