/**
 * Serves the built web client (packages/web/dist) at `/`: GET and HEAD only, content types by extension,
 * `index.html` for `/` and for extension-less paths (the app's own navigation), no way out of the
 * directory, long-lived caching for Vite's content-hashed `/assets/*` files and none for `index.html`.
 * API paths (`/v1/…`, `/healthz`, `/readyz`, `/metrics`) are never served from here: an unknown one still
 * gets the API's not-found error. The page is sent with a strict Content-Security-Policy.
 */
import { existsSync, statSync } from 'node:fs';
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
 * OPAQUE WebAssembly; `data:` images for the QR code.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
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

async function sendFile(reply: FastifyReply, file: string, immutable: boolean): Promise<FastifyReply> {
  const body = await readFile(file);
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  reply
    .header('content-type', type)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (type.startsWith('text/html'))
    reply.header('content-security-policy', CSP).header('x-frame-options', 'DENY');
  return reply.send(body);
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
  app.get('/*', async (req, reply) => {
    const path = (req.url.split('?')[0] ?? '/').split('#')[0] ?? '/';
    if (RESERVED.test(path)) return reply.callNotFound();
    const file = fileFor(root, path);
    if (file === undefined) return reply.callNotFound();
    const info = await stat(file).catch(() => undefined);
    if (info === undefined || !info.isFile()) return reply.callNotFound();
    return sendFile(reply, file, path.startsWith('/assets/'));
  });
}
