/**
 * The world of the file-transfer tests: a real server (with its files module: tus uploads, ranged
 * downloads, the file blob store under its data dir) behind the proxy, which can cut, stall or answer HTTP
 * requests part-way; the data dir is there to search for plaintext and to tamper with stored ciphertext.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type ClientOptions, type ClientStore, MemoryStore, type SottoClient } from '../../src/index.js';
import { type MaliciousProxy, startMaliciousProxy } from './malicious-proxy.js';
import { client, next, STRONG, startTestServer, type TestServer } from './world.js';

/** A server for file tests, reached through a proxy. */
export interface FilesWorld {
  /** The URL clients use (the proxy). */
  readonly url: string;
  readonly server: TestServer;
  readonly proxy: MaliciousProxy;
  stop(): Promise<void>;
}

/** Starts a real server behind a proxy. */
export async function startFilesWorld(): Promise<FilesWorld> {
  const proxy = await startMaliciousProxy();
  const server = await startTestServer({ publicOrigin: proxy.url });
  proxy.target(server.url);
  return {
    url: proxy.url,
    server,
    proxy,
    stop: async () => {
      await proxy.close();
      await server.stop();
    },
  };
}

/** Clients made by {@link people}, closed by {@link closeAll}. */
const made: SottoClient[] = [];

/** A client of `w` (closed by {@link closeAll}). */
export function person(
  w: FilesWorld,
  store: ClientStore = new MemoryStore(),
  extra: Partial<ClientOptions> = {},
): SottoClient {
  const c = client(w.url, store, extra);
  made.push(c);
  return c;
}

/** Closes every client made by {@link person}. */
export async function closeAll(): Promise<void> {
  for (const c of made.splice(0)) await c.close();
}

/** Makes `a` (named `aName`) and `b` (named `bName`) contacts. */
export async function befriend(a: SottoClient, aName: string, b: SottoClient, bName: string): Promise<void> {
  const accepted = next(a, 'contact-event', (e) => e.state === 'accepted');
  const requested = next(b, 'contact-request');
  await a.requestContact(bName);
  await requested;
  await b.acceptContact(aName);
  await accepted;
}

/** alice and bob, registered and contacts. */
export async function aliceAndBob(
  w: FilesWorld,
  aliceStore: ClientStore = new MemoryStore(),
): Promise<{ alice: SottoClient; bob: SottoClient }> {
  const alice = person(w, aliceStore);
  const bob = person(w);
  await alice.register({ name: 'alice', password: STRONG });
  await bob.register({ name: 'bob', password: STRONG });
  await befriend(alice, 'alice', bob, 'bob');
  return { alice, bob };
}

/** `n` random bytes (incompressible, so no pattern of them turns up anywhere by chance). */
export function randomFile(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65_536) crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65_536)));
  return out;
}

/** True when any of a few 32-byte windows of `plain` occurs in `haystack`. */
export function containsPieceOf(haystack: Buffer, plain: Uint8Array, pieces = 16): boolean {
  for (let i = 0; i < pieces; i++) {
    const at = Math.floor(((plain.length - 32) * i) / Math.max(1, pieces - 1));
    if (haystack.includes(Buffer.from(plain.subarray(at, at + 32)))) return true;
  }
  return false;
}

/** The path of the stored ciphertext of `fileId` under the server's data dir (the largest file naming it). */
export function storedCiphertext(w: FilesWorld, fileId: string): string {
  const found: Array<[string, number]> = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else if (f.includes(fileId) && !f.endsWith('.json')) found.push([p, s.size]);
    }
  };
  walk(w.server.dataDir);
  const [best] = found.sort((a, b) => b[1] - a[1]);
  if (best === undefined) throw new Error('no stored ciphertext for this file id');
  return best[0];
}

/** True when anything under the server's data dir is named after `fileId`. */
export function storesFile(w: FilesWorld, fileId: string): boolean {
  try {
    storedCiphertext(w, fileId);
    return true;
  } catch {
    return false;
  }
}
