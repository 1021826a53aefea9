/**
 * A TCP proxy in front of the server that passes what clients send at a set rate (and the answers as they
 * come), so an upload takes long enough to be interrupted on purpose. It counts the bytes clients sent.
 * The server must accept the proxy's origin (`publicOrigins: [proxy.url]`), since devices sign the URL
 * they connect to; the proxy listens before the server starts, and learns the server's port afterwards.
 */
import { createServer, type Socket, connect as tcpConnect } from 'node:net';

/** A running proxy. */
export interface Throttle {
  /** `http://127.0.0.1:PORT`: give this to sotto as the server. */
  readonly url: string;
  /** Where to forward (the server's port), once known. */
  target: number;
  /** Bytes per second from clients to the server; Infinity for no limit. */
  rate: number;
  /** Bytes clients sent through the proxy so far. */
  sent: number;
  close(): Promise<void>;
}

/** Starts a proxy on an ephemeral port of 127.0.0.1. */
export async function startThrottle(): Promise<Throttle> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = tcpConnect(state.target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.pipe(client);
    client.on('data', (chunk: Buffer) => {
      state.sent += chunk.length;
      upstream.write(chunk);
      if (!Number.isFinite(state.rate)) return;
      client.pause();
      setTimeout(() => client.resume(), (chunk.length / state.rate) * 1000);
    });
    client.on('end', () => upstream.end());
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const state: Throttle = {
    url: `http://127.0.0.1:${port}`,
    target: 0,
    rate: Number.POSITIVE_INFINITY,
    sent: 0,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    },
  };
  return state;
}
