/** A real server on an ephemeral port with its data in a temp dir, and clients that wait on events. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeProvider } from '@sotto/crypto';
import {
  DEFAULT_SERVER_LIMITS,
  defaultConfig,
  type RunningServer,
  type SmtpSettings,
  startServer,
  type TurnSettings,
} from '@sotto/server';
import {
  type ClientEvents,
  type ClientOptions,
  type ClientStore,
  createClient,
  MemoryStore,
  type SottoClient,
} from '../../src/index.js';

/** One provider for every test client (stateless). */
export const provider = createNodeProvider();

/** A server under test. */
export interface TestServer {
  readonly server: RunningServer;
  readonly url: string;
  readonly dataDir: string;
  /** The bytes of every file under the data dir. */
  dataBytes(): Buffer;
  stop(keepData?: boolean): Promise<void>;
}

/** Starts a server (reusing `dataDir` for a restart; `smtp` for notification emails; `turn` for calls). */
export async function startTestServer(
  options: {
    dataDir?: string;
    port?: number;
    publicOrigin?: string;
    registration?: 'open' | 'token' | 'closed';
    operatorPollMs?: number;
    smtp?: SmtpSettings;
    /** STUN and TURN servers for calls (`calls.ice`). */
    turn?: TurnSettings;
  } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sotto-client-server-'));
  const server = await startServer(
    defaultConfig({
      port: options.port ?? 0,
      host: '127.0.0.1',
      dataDir,
      logLevel: 'warn',
      ...(options.publicOrigin === undefined ? {} : { publicOrigins: [options.publicOrigin] }),
      registration: options.registration ?? 'open',
      ...(options.smtp === undefined ? {} : { smtp: options.smtp }),
      ...(options.turn === undefined ? {} : { turn: options.turn }),
      limits: {
        ...DEFAULT_SERVER_LIMITS,
        loginAttemptsPerIpPerMinute: 1000,
        sendsPerDevicePerSecond: 1000,
        ...(options.operatorPollMs === undefined ? {} : { operatorPollMs: options.operatorPollMs }),
      },
    }),
    { logDestination: { write: () => undefined } },
  );
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? files(p) : [p];
    });
  return {
    server,
    url: server.url,
    dataDir,
    dataBytes: () => Buffer.concat(files(dataDir).map((f) => readFileSync(f))),
    stop: async (keepData = false) => {
      await server.close(500);
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A client with a fast reconnect and the node provider (`extra` options win). */
export function client(
  url: string | string[],
  store: ClientStore = new MemoryStore(),
  extra: Partial<ClientOptions> = {},
): SottoClient {
  return createClient({
    server: url,
    store,
    provider,
    reconnect: { minDelayMs: 50, maxDelayMs: 500 },
    ...extra,
  });
}

/** Resolves with the first `event` payload matching `pred`, or rejects after `timeoutMs`. */
export function next<K extends keyof ClientEvents>(
  c: SottoClient,
  event: K,
  pred: (e: ClientEvents[K]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${String(event)}`));
    }, timeoutMs);
    const off = c.on(event, (e) => {
      if (!pred(e)) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

/** Collects every `event` payload into an array (for later assertions). */
export function collect<K extends keyof ClientEvents>(c: SottoClient, event: K): ClientEvents[K][] {
  const out: ClientEvents[K][] = [];
  c.on(event, (e) => out.push(e));
  return out;
}

/** Polls `check` until it returns true (events already missed), up to `timeoutMs`. */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A password zxcvbn rates strong. */
export const STRONG = 'correct horse battery staple 42!';
