/**
 * Drives another Node process over the inspector protocol (the child runs with `--inspect=127.0.0.1:0`):
 * forces a full garbage collection before a memory reading, and takes a CPU profile of exactly the
 * measured window (not start-up or set-up).
 */
import WebSocket from 'ws';

/** A connected inspector session. */
export interface InspectorSession {
  /** Runs a full garbage collection in the process and resolves once it is done. */
  collectGarbage(): Promise<void>;
  /** Starts the V8 sampling profiler. */
  start(): Promise<void>;
  /** Stops it and returns the `.cpuprofile` JSON. */
  stop(): Promise<string>;
  close(): void;
}

/** Finds the inspector URL in a child's output ("Debugger listening on ws://…") and connects to it. */
export async function connectInspector(output: readonly string[]): Promise<InspectorSession> {
  const m = /Debugger listening on (ws:\/\/\S+)/.exec(output.join(''));
  if (!m?.[1]) throw new Error('the child is not running with --inspect');
  const ws = new WebSocket(m[1]);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, (result: unknown) => void>();
  ws.on('message', (data: Buffer) => {
    const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  });
  const call = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    collectGarbage: async () => {
      await call('HeapProfiler.collectGarbage');
    },
    start: async () => {
      await call('Profiler.enable');
      await call('Profiler.setSamplingInterval', { interval: 200 });
      await call('Profiler.start');
    },
    stop: async () => JSON.stringify(((await call('Profiler.stop')) as { profile: unknown }).profile),
    close: () => ws.close(),
  };
}
