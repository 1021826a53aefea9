/**
 * The server serves the built web client at `/` (packages/server/src/web-static.ts): content types,
 * `index.html` for `/` and app paths, immutable caching for hashed assets, a strict CSP on the page, no
 * way out of the directory, and the API's own paths never shadowed. No browser needed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, parseConfig, type RunningServer, startServer } from '@sotto/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Res {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A raw request: the path goes on the wire exactly as given (no client-side `..` normalisation). */
function raw(port: number, path: string, method = 'GET'): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('latin1').on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

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
