/**
 * Serves the built web client (packages/web/dist) at `/`: GET and HEAD only, content types by extension,
 * `index.html` for `/` and for extension-less paths (the app's own navigation), no way out of the
 * directory, long-lived immutable caching for Vite's content-hashed `/assets/*` files, and `no-cache`
 * (revalidate every time) for everything else, `index.html` included.
 *
 * Compression is done at build time: the web build writes `name.br` and `name.gz` next to each text file.
 * The copy the browser accepts (`Accept-Encoding`, Brotli preferred) is sent as it is, with
 * `Content-Encoding`, the original's content type and `Vary: Accept-Encoding`. Every representation has
 * its own strong ETag (a hash of the bytes sent), and a matching `If-None-Match` gets 304.
 *
 * API paths (`/v1/…`, `/healthz`, `/readyz`, `/metrics`) are never served from here: an unknown one still
 * gets the API's not-found error. The page is sent with a strict Content-Security-Policy.
 */
import { createHash } from 'node:crypto';
import { existsSync, type Stats, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Paths the API owns; the static handler leaves them to the API's routes and not-found handler. */
const RESERVED = /^\/(v1(\/|$)|healthz$|readyz$|metrics$)/;

/**
 * The page's policy: scripts, styles and connections to this origin only; `wasm-unsafe-eval` for the
 * OPAQUE WebAssembly; `data:` images for the QR code and the thumbnails that come inside messages;
 * `blob:` images and media for files the page decrypted and verified itself (a `blob:` URL is made by
 * the page's own scripts, never fetched from elsewhere). Audio and video come from nowhere else.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  'media-src blob:',
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The web client's build next to this package (`packages/web/dist`, from `src/` or `dist/` alike), or
 * undefined when it has not been built.
 */
export function defaultWebDir(): string | undefined {
  const dir = fileURLToPath(new URL('../../web/dist/', import.meta.url));
  return existsSync(resolve(dir, 'index.html')) ? resolve(dir) : undefined;
}

/** The file under `root` for a URL path, or undefined when the path is malformed or leaves `root`. */
function fileFor(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const target = resolve(root, `.${decoded}`);
  if (target !== root && !target.startsWith(root + sep)) return undefined;
  if (target === root || decoded.endsWith('/') || extname(decoded) === '') return resolve(root, 'index.html');
  return target;
}

/** A precompressed copy the build may have written next to a file, in order of preference. */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

type Encoding = (typeof ENCODINGS)[number]['name'] | 'identity';

/**
 * The content-codings `header` accepts with a non-zero quality (RFC 9110 §12.5.3). `*` accepts any coding
 * not listed; an absent header accepts none but identity.
 */
function acceptedEncodings(header: string | undefined): Set<string> {
  const listed = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    if (name === '') continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
      if (m?.[1] !== undefined) q = Number(m[1]);
    }
    listed.set(name.trim(), Number.isFinite(q) ? q : 0);
  }
  const out = new Set<string>();
  for (const { name } of ENCODINGS) {
    const q = listed.get(name) ?? listed.get('*');
    if (q !== undefined && q > 0) out.add(name);
  }
  return out;
}

/** ETags by representation file, valid while its size and modification time stay the same. */
type EtagCache = Map<string, { readonly size: number; readonly mtimeMs: number; readonly etag: string }>;

/**
 * The strong ETag of the representation at `path` (as `info` describes it): a hash of its bytes, cached
 * per file version, so a revalidation (`If-None-Match`) reads nothing.
 */
async function etagOf(etags: EtagCache, path: string, info: Stats): Promise<string> {
  const cached = etags.get(path);
  if (cached !== undefined && cached.size === info.size && cached.mtimeMs === info.mtimeMs)
    return cached.etag;
  const etag = `"${createHash('sha256')
    .update(await readFile(path))
    .digest('base64url')
    .slice(0, 27)}"`;
  if (etags.size > 1000) etags.clear(); // a bound; a build holds a few dozen files
  etags.set(path, { size: info.size, mtimeMs: info.mtimeMs, etag });
  return etag;
}

/** True when `If-None-Match` lists `etag` or `*` (weak comparison, RFC 9110 §13.1.2). */
function notModified(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

/** The representation of `file` to send: its best accepted precompressed copy, else the file itself. */
async function representation(
  file: string,
  accepted: ReadonlySet<string>,
): Promise<{ path: string; info: Stats; encoding: Encoding } | undefined> {
  for (const e of ENCODINGS) {
    if (!accepted.has(e.name)) continue;
    const info = await stat(file + e.suffix).catch(() => undefined);
    if (info?.isFile() === true) return { path: file + e.suffix, info, encoding: e.name };
  }
  const info = await stat(file).catch(() => undefined);
  return info?.isFile() === true ? { path: file, info, encoding: 'identity' } : undefined;
}

type Representation = NonNullable<Awaited<ReturnType<typeof representation>>>;

async function sendFile(
  etags: EtagCache,
  reply: FastifyReply,
  file: string,
  rep: Representation,
  immutable: boolean,
  ifNoneMatch: string | undefined,
): Promise<FastifyReply> {
  const etag = await etagOf(etags, rep.path, rep.info);
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  reply
    .header('content-type', type)
    .header('vary', 'Accept-Encoding')
    .header('etag', etag)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (type.startsWith('text/html'))
    reply.header('content-security-policy', CSP).header('x-frame-options', 'DENY');
  if (notModified(ifNoneMatch, etag)) return reply.code(304).send();
  if (rep.encoding !== 'identity') reply.header('content-encoding', rep.encoding);
  return reply.send(await readFile(rep.path));
}

/** True when `dir` is a directory with an `index.html` (`parseConfig` checks `--web` with it). */
export function isWebDir(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && existsSync(resolve(dir, 'index.html'));
  } catch {
    return false;
  }
}

/**
 * Registers GET (and HEAD) `/*` serving `dir`. When `dir` has no `index.html` it logs a warning and
 * serves nothing (the API works as before).
 */
export function registerWebStatic(app: FastifyInstance, dir: string): void {
  const root = resolve(dir);
  if (!isWebDir(root)) {
    app.log.warn({ dir: root }, 'no index.html in the web directory: not serving the web client');
    return;
  }
  const etags: EtagCache = new Map();
  app.get('/*', async (req, reply) => {
    const path = (req.url.split('?')[0] ?? '/').split('#')[0] ?? '/';
    if (RESERVED.test(path)) return reply.callNotFound();
    const file = fileFor(root, path);
    if (file === undefined) return reply.callNotFound();
    const info = await stat(file).catch(() => undefined);
    if (info === undefined || !info.isFile()) return reply.callNotFound();
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(',') : v;
    };
    const rep = await representation(file, acceptedEncodings(header('accept-encoding')));
    if (rep === undefined) return reply.callNotFound();
    return sendFile(etags, reply, file, rep, path.startsWith('/assets/'), header('if-none-match'));
  });
}
