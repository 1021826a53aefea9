/**
 * The server serves the built web client at `/` (packages/server/src/web-static.ts): content types,
 * `index.html` for `/` and app paths, immutable caching for hashed assets, a strict CSP on the page, no
 * way out of the directory, and the API's own paths never shadowed; the build's precompressed copies by
 * Accept-Encoding, with a strong ETag per representation and 304 on revalidation. No browser needed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { defaultConfig, parseConfig, type RunningServer, startServer } from '@sotto/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Res {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

interface BytesRes extends Omit<Res, 'body'> {
  readonly body: Buffer;
}

/** A raw request: the path goes on the wire exactly as given (no client-side `..` normalisation). */
async function raw(
  port: number,
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<Res> {
  const r = await rawBytes(port, path, method, headers);
  return { ...r, body: r.body.toString('latin1') };
}

/** As {@link raw}, the body as bytes exactly as received (not decompressed). */
function rawBytes(
  port: number,
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<BytesRes> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const BIG_JS = Buffer.from(`export const words = ${JSON.stringify('lorem ipsum '.repeat(5000))};\n`);

describe('serving the web client', () => {
  let root: string;
  let web: string;
  let server: RunningServer;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'sotto-web-static-'));
    web = join(root, 'web');
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>Sotto</title>');
    writeFileSync(join(web, 'assets', 'index-AbC123.js'), 'console.log(1)');
    writeFileSync(join(web, 'assets', 'index-AbC123.css'), 'body{}');
    writeFileSync(join(web, 'favicon.svg'), '<svg/>');
    // As the web build writes them: compressed copies next to the originals (not for every file).
    writeFileSync(join(web, 'assets', 'app-XyZ789.js'), BIG_JS);
    writeFileSync(join(web, 'assets', 'app-XyZ789.js.br'), brotliCompressSync(BIG_JS));
    writeFileSync(join(web, 'assets', 'app-XyZ789.js.gz'), gzipSync(BIG_JS));
    writeFileSync(join(web, 'index.html.gz'), gzipSync('<!doctype html><title>Sotto</title>'));
    writeFileSync(join(root, 'secret.txt'), 'TOP-SECRET');
    server = await startServer(
      defaultConfig({
        port: 0,
        host: '127.0.0.1',
        dataDir: join(root, 'data'),
        webDir: web,
        logLevel: 'warn',
      }),
    );
  });

  afterAll(async () => {
    await server?.close(0);
    rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html at / with a strict policy and no caching', async () => {
    const r = await raw(server.port, '/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.headers['content-security-policy']).toContain("default-src 'self'");
    const policy = new Map(
      String(r.headers['content-security-policy'])
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...sources]) => [name, sources.join(' ')]),
    );
    // Verified files show from the page's own blob: URLs; nothing else is let in.
    expect(policy.get('img-src')).toBe("'self' data: blob:");
    expect(policy.get('media-src')).toBe('blob:');
    expect(policy.get('script-src')).toBe("'self' 'wasm-unsafe-eval'");
    expect(policy.get('connect-src')).toBe("'self'");
    expect(policy.get('style-src')).toBe("'self'");
    expect(policy.get('object-src')).toBe("'none'");
    expect(policy.get('frame-ancestors')).toBe("'none'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.body).toContain('<title>Sotto</title>');
    expect((await raw(server.port, '/', 'HEAD')).status).toBe(200);
    expect((await raw(server.port, '/chat/alice')).body).toContain('<title>Sotto</title>');
  });

  it('serves hashed assets with their types, cached for a year', async () => {
    const js = await raw(server.port, '/assets/index-AbC123.js?v=1');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-security-policy']).toBeUndefined();
    const css = await raw(server.port, '/assets/index-AbC123.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const svg = await raw(server.port, '/favicon.svg');
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    expect(svg.headers['cache-control']).toBe('no-cache');
    expect((await raw(server.port, '/assets/missing.js')).status).toBe(404);
  });

  it('sends the precompressed copy the browser accepts, Brotli first, with its own strong ETag', async () => {
    const path = '/assets/app-XyZ789.js';
    const br = await rawBytes(server.port, path, 'GET', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(BIG_JS.length / 10);
    expect(brotliDecompressSync(br.body).equals(BIG_JS)).toBe(true);

    const gz = await rawBytes(server.port, path, 'GET', { 'accept-encoding': 'gzip;q=1.0, br;q=0' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(BIG_JS)).toBe(true);
    const plain = await rawBytes(server.port, path);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept-Encoding');
    expect(plain.body.equals(BIG_JS)).toBe(true);
    const any = await rawBytes(server.port, path, 'GET', { 'accept-encoding': '*' });
    expect(any.headers['content-encoding']).toBe('br');

    const tags = [br, gz, plain].map((r) => r.headers.etag);
    for (const t of tags) expect(t).toMatch(/^"[A-Za-z0-9_-]{16,}"$/); // strong: no W/
    expect(new Set(tags).size).toBe(3);
    // A file without copies goes out as it is.
    const small = await rawBytes(server.port, '/assets/index-AbC123.js', 'GET', { 'accept-encoding': 'br' });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.body.toString()).toBe('console.log(1)');
  });

  it('answers a matching If-None-Match with 304 for that representation only', async () => {
    const path = '/assets/app-XyZ789.js';
    const brTag = (await raw(server.port, path, 'HEAD', { 'accept-encoding': 'br' })).headers.etag as string;
    const again = await rawBytes(server.port, path, 'GET', {
      'accept-encoding': 'br',
      'if-none-match': `"other", ${brTag}`,
    });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(brTag);
    expect(again.headers.vary).toBe('Accept-Encoding');
    // The same tag does not match the gzip representation.
    const gz = await rawBytes(server.port, path, 'GET', {
      'accept-encoding': 'gzip',
      'if-none-match': brTag,
    });
    expect(gz.status).toBe(200);
    expect(gz.headers['content-encoding']).toBe('gzip');

    // The page: never cached without asking, revalidated by ETag; gzip only, as the build left it.
    const page = await raw(server.port, '/', 'GET', { 'accept-encoding': 'br, gzip' });
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-encoding']).toBe('gzip');
    const tag = page.headers.etag as string;
    const revalidated = await raw(server.port, '/', 'GET', {
      'accept-encoding': 'br, gzip',
      'if-none-match': tag,
    });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers['cache-control']).toBe('no-cache');
    expect((await raw(server.port, '/', 'GET', { 'if-none-match': tag })).status).toBe(200);
  });

  it('never leaves the directory', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%00index.html',
      '/%E0%A4%A',
    ]) {
      const r = await raw(server.port, path);
      expect(r.body, path).not.toContain('TOP-SECRET');
      expect([400, 404], path).toContain(r.status);
    }
  });

  it('leaves the API paths to the API', async () => {
    const health = await raw(server.port, '/healthz');
    expect(health.status).toBe(200);
    expect(health.headers['content-type']).not.toContain('text/html');
    const metrics = await raw(server.port, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).not.toContain('<title>');
    for (const path of ['/v1/nope', '/v1', '/v1/']) {
      const r = await raw(server.port, path);
      expect(r.status, path).toBe(404);
      expect(r.headers['content-type'], path).not.toContain('text/html');
    }
    expect((await raw(server.port, '/', 'POST')).status).toBe(404);
  });

  it('takes the directory from --web / SOTTO_WEB and refuses one without index.html', () => {
    expect(parseConfig(['--web', web], {}).webDir).toBe(web);
    expect(parseConfig([], { SOTTO_WEB: web }).webDir).toBe(web);
    expect(() => parseConfig(['--web', root], {})).toThrow(/index\.html/);
  });
});
