/**
 * Runs a server (by default the real CLI, `src/main.ts`) in a child process under tsx, on a fixed port
 * picked once, so a test can SIGKILL it and restart it on the same port and data directory the way an
 * operator's supervisor would. Workspace packages resolve to their sources (the `source` export condition),
 * so the child runs the same code as the in-process tests, with no build step.
 *
 * Every child is registered: {@link killAllChildren} (call it in `afterAll`) and a process `exit` hook
 * SIGKILL whatever is left, so a failing test leaves no stray server behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const serverRoot = fileURLToPath(new URL('../../', import.meta.url));
/** The server's CLI entry. */
export const SERVER_MAIN = `${serverRoot}src/main.ts`;

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** How a child ended: its exit code, or the signal that ended it. */
export type ExitStatus = { code: number | null; signal: NodeJS.Signals | null };

/** A running child process (a server, or the bench's bare forwarder). */
export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Stdout and stderr, as received (for diagnostics when something fails). */
  readonly output: string[];
  /** Resolves once the process exited. */
  readonly exited: Promise<ExitStatus>;
  /** Sends `signal` (default SIGKILL) and resolves once the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<ExitStatus>;
}

/** A server child on a known port. */
export interface ChildServer extends Child {
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** `ws://127.0.0.1:<port>/v1/ws`. */
  readonly wsUrl: string;
  readonly dataDir: string;
}

/** A TCP port that was free a moment ago on `host` (bound to port 0, then released). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `node [nodeArgs] --conditions=source --import tsx <entry> [args]`, so `@sotto/*` load from source. The child's
 * output is collected in `output` (keep it small: the last 200 chunks).
 */
export function spawnChild(
  entry: string,
  args: readonly string[],
  options: { env?: Record<string, string>; nodeArgs?: readonly string[]; cwd?: string } = {},
): Child {
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), '--conditions=source', '--import', 'tsx', entry, ...args],
    {
      cwd: options.cwd ?? serverRoot,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn ${entry}`);
  live.add(child);
  const output: string[] = [];
  const keep = (d: Buffer) => {
    output.push(d.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<ExitStatus>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    }),
  );
  return {
    process: child,
    pid,
    output,
    exited,
    kill: (signal: NodeJS.Signals = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls `url` until it answers 200; throws if `child` exits first or `timeoutMs` passes. */
export async function waitForHttp(url: string, child: Child, timeoutMs = 20_000): Promise<void> {
  let gone = false;
  void child.exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`child exited before it was ready:\n${child.output.join('')}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not become ready in ${timeoutMs} ms:\n${child.output.join('')}`);
}

/**
 * Starts the server CLI (`entry`, default {@link SERVER_MAIN}) on `127.0.0.1:<port>` with `--data dataDir`
 * and waits until `/readyz` answers 200. Pass the same `port` and `dataDir` to restart after a kill.
 * Throws when the process exits or is not ready within 20 s.
 */
export async function startChildServer(options: {
  dataDir: string;
  port?: number;
  entry?: string;
  args?: readonly string[];
  env?: Record<string, string>;
  nodeArgs?: readonly string[];
}): Promise<ChildServer> {
  const port = options.port ?? (await freePort());
  const child = spawnChild(
    options.entry ?? SERVER_MAIN,
    [
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--data',
      options.dataDir,
      '--log-level',
      'warn',
      ...(options.args ?? []),
    ],
    {
      ...(options.env ? { env: options.env } : {}),
      ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
    },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/readyz`, child);
  } catch (err) {
    await child.kill();
    throw err;
  }
  return { ...child, port, url, wsUrl: `ws://127.0.0.1:${port}/v1/ws`, dataDir: options.dataDir };
}

/** SIGKILLs every child still running and waits for them to exit. */
export async function killAllChildren(): Promise<void> {
  await Promise.all(
    [...live].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGKILL');
        }),
    ),
  );
}
