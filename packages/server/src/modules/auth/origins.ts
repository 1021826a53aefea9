/**
 * The origins a device may sign into the connection challenge (docs/protocol.md §2.1, ADR 0007). Never the
 * request's Host header: a malicious server relaying our challenge to its own victims can send any Host it
 * likes. The set is either the configured public origins, or the names of where this server really
 * listens: its scheme with `localhost`, `127.0.0.1` and `[::1]`, the bound address, and on a wildcard bind
 * every interface address and the machine's host name, each with the port actually bound.
 */
import { hostname, type NetworkInterfaceInfo, networkInterfaces } from 'node:os';

/** What the machine is called, for a server bound to every interface (injectable for tests). */
export interface MachineNames {
  hostname(): string;
  networkInterfaces(): NodeJS.Dict<NetworkInterfaceInfo[]>;
}

const THIS_MACHINE: MachineNames = { hostname, networkInterfaces };

/** Longest origin taken from a request (a longer Host header cannot name an accepted origin anyway). */
const MAX_ORIGIN_CHARS = 200;

/**
 * `scheme://host[:port]` as a browser's `URL.origin` writes it (lower case, default port left out, IPv6
 * in brackets), or undefined when `text` is not an http(s) URL with nothing after the authority.
 */
export function canonicalOrigin(text: string): string | undefined {
  if (text.length > MAX_ORIGIN_CHARS) return undefined;
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  if (u.username !== '' || u.password !== '' || u.pathname !== '/' || u.search !== '' || u.hash !== '') {
    return undefined;
  }
  return u.origin;
}

const WILDCARDS = new Set(['', '0.0.0.0', '::', '::0', '0:0:0:0:0:0:0:0']);

/** `host` as the authority part of a URL (IPv6 addresses in brackets). */
const authority = (host: string, port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/**
 * The origins of a server that listens on `host`:`port` with `scheme`: loopback names always, the bound
 * address when it is one, and on a wildcard bind the machine's interface addresses and host name.
 */
export function listeningOrigins(
  scheme: 'http' | 'https',
  host: string,
  port: number,
  machine: MachineNames = THIS_MACHINE,
): string[] {
  const hosts = ['localhost', '127.0.0.1', '::1'];
  if (WILDCARDS.has(host)) {
    for (const infos of Object.values(machine.networkInterfaces())) {
      for (const info of infos ?? []) hosts.push(info.address);
    }
    hosts.push(machine.hostname());
  } else {
    hosts.push(host);
  }
  const out = new Set<string>();
  for (const h of hosts) {
    const origin = h === '' ? undefined : canonicalOrigin(`${scheme}://${authority(h, port)}`);
    if (origin !== undefined) out.add(origin);
  }
  return [...out];
}

/** The accepted origins of one server: fixed by configuration, or known once it listens. */
export class AcceptedOrigins {
  private list: readonly string[];
  private set: ReadonlySet<string>;

  /** `configured` (canonical, see {@link canonicalOrigin}) replaces the derived set when not empty. */
  constructor(private readonly configured: readonly string[]) {
    this.list = configured;
    this.set = new Set(configured);
  }

  /** Derives the set from where the server listens (unless origins were configured). */
  listening(scheme: 'http' | 'https', host: string, port: number, machine?: MachineNames): void {
    if (this.configured.length > 0) return;
    this.list = listeningOrigins(scheme, host, port, machine);
    this.set = new Set(this.list);
  }

  /** Every accepted origin (empty until the server listens, unless configured). */
  get all(): readonly string[] {
    return this.list;
  }

  has(origin: string): boolean {
    return this.set.has(origin);
  }

  /** The accepted origins to try for a connection that named `hint`: that one first when accepted. */
  inOrder(hint: string): readonly string[] {
    if (!this.set.has(hint) || this.list[0] === hint) return this.list;
    return [hint, ...this.list.filter((o) => o !== hint)];
  }
}
