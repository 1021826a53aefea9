/**
 * Which reverse proxies the server believes about the client's address (`--trust-proxy`), so per-IP limits
 * count the real client behind them. Off by default: `X-Forwarded-For` is ignored and the client is the
 * socket's peer. One trust function serves Fastify (`request.ip`) and the WebSocket upgrade alike, with
 * `@fastify/proxy-addr` (the same code Fastify uses) reading the header.
 */
import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

/**
 * `false`: trust no proxy. `true`: trust every hop (only when nothing but the proxy can reach the
 * server). A number: trust that many hops nearest the server. A list: trust peers at these addresses or
 * CIDR ranges (and the names `loopback`, `linklocal`, `uniquelocal`).
 */
export type TrustProxy = boolean | number | readonly string[];

/** Whether the `i`-th hop back (0: the socket's peer) at `addr` is a proxy to believe. */
export type TrustFunction = (addr: string, i: number) => boolean;

/**
 * Reads a `--trust-proxy` value: `true`/`false`, a hop count, or a comma-separated list of addresses and
 * CIDR ranges. Throws an Error with a sentence on anything else.
 */
export function parseTrustProxy(text: string): TrustProxy {
  const t = text.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (/^\d{1,3}$/.test(t)) return Number(t) === 0 ? false : Number(t);
  const list = t
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  try {
    if (list.length === 0) throw new Error('empty');
    proxyAddr.compile(list);
  } catch {
    throw new Error(
      '--trust-proxy takes true, false, a hop count, or a comma-separated list of addresses and CIDR ranges ' +
        '(e.g. 10.0.0.0/8,loopback)',
    );
  }
  return list;
}

/** The trust function of `trust`, or undefined when no proxy is trusted. */
export function trustFunction(trust: TrustProxy): TrustFunction | undefined {
  if (trust === false) return undefined;
  if (trust === true) return () => true;
  if (typeof trust === 'number') return (_addr, i) => i < trust;
  return proxyAddr.compile([...trust]);
}

/**
 * The client's address: the socket's peer, or with trusted proxies the nearest address in
 * `X-Forwarded-For` that is not one (as Fastify's `request.ip`). '' when the socket is gone.
 */
export function clientAddress(req: IncomingMessage, trust: TrustFunction | undefined): string {
  if (trust === undefined) return req.socket.remoteAddress ?? '';
  return proxyAddr(req, trust) ?? '';
}
