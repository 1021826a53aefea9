/**
 * A TCP proxy in front of the real server that plays a bad network for the browser: it can hold back
 * what the server sends by some milliseconds (a send stays in flight that long), and it can cut the
 * WebSocket (the app goes offline) while plain HTTP still works, so the page can still be reloaded.
 * Bytes pass through unchanged and in order; the browser uses the proxy's origin for everything.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A running proxy. */
export interface NetProxy {
  /** `http://127.0.0.1:port`: open the page here. */
  readonly url: string;
  /** Holds back every byte from the server by this many ms from now on (0: none). */
  delayMs: number;
  /** Cuts the WebSocket connections and refuses new ones (true), or lets them through again (false). */
  cutWebSockets(cut: boolean): void;
  close(): Promise<void>;
}

/** Starts a proxy to `127.0.0.1:targetPort`. */
export async function startProxy(targetPort: number): Promise<NetProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket; ws: boolean }>();
  let cut = false;
  const proxy = {
    delayMs: 0,
    url: '',
    cutWebSockets(on: boolean) {
      cut = on;
      if (!on) return;
      for (const p of pairs) {
        if (!p.ws) continue;
        p.client.destroy();
        p.upstream.destroy();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of pairs) {
          p.client.destroy();
          p.upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    const pair = { client, upstream, ws: false };
    pairs.add(pair);
    // Held-back chunks go out in order from one queue, whatever the delay was when each arrived.
    const queue: Array<{ at: number; chunk: Buffer }> = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const pump = () => {
      timer = undefined;
      while (queue.length > 0 && (queue[0]?.at ?? 0) <= Date.now()) {
        const next = queue.shift();
        if (next !== undefined && client.writable) client.write(next.chunk);
      }
      const head = queue[0];
      if (head !== undefined) timer = setTimeout(pump, head.at - Date.now());
    };
    client.on('data', (chunk: Buffer) => {
      if (!pair.ws && /\r\nupgrade:\s*websocket/i.test(chunk.toString('latin1'))) pair.ws = true;
      if (pair.ws && cut) {
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      const last = queue[queue.length - 1]?.at ?? 0;
      queue.push({ at: Math.max(Date.now() + proxy.delayMs, last), chunk });
      if (timer === undefined) pump();
    });
    const end = () => {
      if (timer !== undefined) clearTimeout(timer);
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', () => setTimeout(end, Math.max(0, (queue[queue.length - 1]?.at ?? 0) - Date.now())));
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  proxy.url = `http://127.0.0.1:${address.port}`;
  return proxy;
}
