/**
 * The browser tests' world: the web client built once per test file into a temp directory (Vite's build
 * API), a real server started in-process serving it, and Debian's Chromium driven by playwright-core.
 * Nothing downloads a browser. Without /usr/bin/chromium the tests are skipped locally and FAIL in CI.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Limits } from '@sotto/protocol';
import { defaultConfig, type RunningServer, type ServerConfig, startServer } from '@sotto/server';
import { type Browser, chromium } from 'playwright-core';
import { type NetProxy, startProxy } from './proxy.js';

/** Debian's Chromium. */
export const CHROMIUM = '/usr/bin/chromium';
/** True when the browser tests can run here. */
export const HAS_CHROMIUM = existsSync(CHROMIUM);
/** True when a missing browser must fail the run instead of skipping it. */
export const IN_CI = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';

const WEB = fileURLToPath(new URL('../../', import.meta.url));
/** Where screenshots go (gitignored). */
export const SCREENSHOTS = join(WEB, 'test-results', 'screenshots');

/** A running world; `close` stops everything and removes the temp files. */
export interface World {
  readonly url: string;
  readonly root: string;
  readonly browser: Browser;
  /** The server now running (replaced by {@link World.restartServer}). */
  readonly server: RunningServer;
  /** With {@link WorldOptions.proxy}: the bad-network proxy in front of the server. */
  readonly proxy?: NetProxy | undefined;
  /** Stops the server, calls `whileDown`, then starts it again on the same port and data. */
  restartServer(whileDown: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** Chromium flags of {@link WorldOptions.media}. */
const MEDIA_FLAGS = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
];

/** Builds the web client into `outDir` with the package's vite.config.ts. */
async function buildWeb(outDir: string): Promise<void> {
  const { build } = await import('vite');
  // Vitest sets NODE_ENV=test, which would make Vite build React's development bundle; test what ships.
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: join(WEB, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'error',
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    process.env.NODE_ENV = env;
  }
}

/** Options of {@link startWorld}. */
export interface WorldOptions {
  /** Server limits to change (e.g. a higher send rate to seed a long conversation). */
  readonly limits?: Partial<Limits>;
  /**
   * True to put a {@link NetProxy} in front of the server (`world.proxy.url` for the browser; the server
   * then accepts connections signed for the proxy's origin as well as its own).
   */
  readonly proxy?: boolean;
  /** Who may register (default open): `token` needs an invite from `sotto-server admin tokens create`. */
  readonly registration?: 'open' | 'token' | 'closed';
  /**
   * True for call tests: Chromium gets a fake camera and microphone (a test pattern and a tone) and grants
   * them without asking, and may gather loopback ICE candidates. Other tests launch it as before.
   */
  readonly media?: boolean;
  /** More server configuration (a mail server for notification emails, a TURN server for calls). */
  readonly config?: Partial<Pick<ServerConfig, 'smtp' | 'turn'>>;
}

/** A port free on 127.0.0.1 right now (the server is started on it at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Builds, starts the server and launches Chromium. Throws in CI when Chromium is missing. */
export async function startWorld(name: string, options: WorldOptions = {}): Promise<World> {
  if (!HAS_CHROMIUM) throw new Error(`${CHROMIUM} is missing: the browser tests cannot run`);
  const root = mkdtempSync(join(tmpdir(), `sotto-web-${name}-`));
  const webDir = join(root, 'web');
  await buildWeb(webDir);
  mkdirSync(SCREENSHOTS, { recursive: true });
  const first = options.proxy === true ? await freePort() : 0;
  const proxy = options.proxy === true ? await startProxy(first) : undefined;
  const origins = proxy === undefined ? [] : [`http://127.0.0.1:${first}`, proxy.url];
  const config = (port: number) => {
    const base = defaultConfig({
      port,
      host: '127.0.0.1',
      dataDir: join(root, 'server'),
      webDir,
      logLevel: 'warn',
      registration: options.registration ?? 'open',
    });
    return {
      ...base,
      limits: { ...base.limits, ...options.limits },
      ...(origins.length === 0 ? {} : { publicOrigins: origins }),
      ...options.config,
    };
  };
  let server = await startServer(config(first));
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        ...(options.media === true ? MEDIA_FLAGS : []),
      ],
    });
  } catch (err) {
    await server.close(0);
    await proxy?.close();
    throw err;
  }
  return {
    url: server.url,
    root,
    browser,
    proxy,
    get server() {
      return server;
    },
    restartServer: async (whileDown) => {
      const port = server.port;
      await server.close(0);
      try {
        await whileDown();
      } finally {
        // Up again even when the check failed, so one failure does not take the later tests down with it.
        server = await startServer(config(port));
      }
    },
    close: async () => {
      await browser.close().catch(() => undefined);
      await proxy?.close();
      await server.close(0);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
