/** Starts a real server on an ephemeral port with a real SQLite file in a temp dir, capturing its logs. */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Clock,
  DEFAULT_SERVER_LIMITS,
  defaultConfig,
  type RunningServer,
  type ServerConfig,
  type ServerLimits,
  startServer,
} from '@sotto/server';
import { SERVER_SETUP_FILE } from '../../src/modules/auth/server-setup.js';

/** A server under test. */
export interface TestServer {
  readonly server: RunningServer;
  readonly url: string;
  readonly wsUrl: string;
  readonly dataDir: string;
  /** Every log line written so far. */
  readonly logs: string[];
  /** The bytes of every file in the data dir and below (database, WAL, setup, stored files). */
  dataFiles(): Buffer;
  /** Stops the server and deletes the data dir (unless `keepData`). */
  stop(keepData?: boolean): Promise<void>;
}

/** The paths of every regular file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** A clock tests can move. */
export class TestClock implements Clock {
  constructor(public time = Date.now()) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

/** Options of {@link startTestServer}. */
export interface TestServerOptions {
  clock?: Clock;
  limits?: Partial<ServerLimits>;
  dataDir?: string;
  tls?: { certFile: string; keyFile: string };
  store?: string;
  bus?: string;
  /** Any other configuration (public origins, trusted proxies, the OPAQUE setup file, the host). */
  config?: Partial<ServerConfig>;
}

/**
 * Starts a server; `limits` override the defaults, `dataDir` reuses a directory (restart tests), `store`
 * and `bus` name a PostgreSQL and a Redis URL (default: SQLite in the data dir, in-process bus).
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sotto-server-'));
  const logs: string[] = [];
  const server = await startServer(
    defaultConfig({
      port: 0,
      host: '127.0.0.1',
      dataDir,
      logLevel: 'debug',
      limits: { ...DEFAULT_SERVER_LIMITS, ...options.limits },
      tls: options.tls,
      store: options.store,
      bus: options.bus,
      ...options.config,
    }),
    {
      logDestination: { write: (line: string) => void logs.push(line) },
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    },
  );
  return {
    server,
    url: server.url,
    wsUrl: `${server.url.replace(/^http/, 'ws')}/v1/ws`,
    dataDir,
    logs,
    dataFiles: () => Buffer.concat(filesUnder(dataDir).map((f) => readFileSync(f))),
    stop: async (keepData = false) => {
      await server.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Another node beside `first` (same store and bus in `options`): a fresh data directory holding a copy of
 * the first node's OPAQUE setup, as an operator copies it (docs/deploy.md).
 */
export async function startNextNode(
  first: TestServer,
  options: Omit<TestServerOptions, 'dataDir'>,
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sotto-node-'));
  copyFileSync(join(first.dataDir, SERVER_SETUP_FILE), join(dataDir, SERVER_SETUP_FILE));
  return startTestServer({ ...options, dataDir });
}
