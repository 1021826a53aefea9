/**
 * Hostile and malformed input on the files routes (the file store; the gate and tus are the same for
 * every store): each bad request gets a clear 4xx, never a 500 or a crash, a refused request does not use
 * the token up, and no download ever serves an upload that is not complete.
 */
import { randomBytes } from 'node:crypto';
import { ROUTES } from '@sotto/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestClient } from './helpers/client.js';
import {
  authorize,
  ciphertext,
  create,
  createUpload,
  download,
  head,
  patch,
  rawRequest,
} from './helpers/files.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { connect, registered } from './helpers/world.js';

const TUS = { 'tus-resumable': '1.0.0' };
const OCTETS = 'application/offset+octet-stream';

describe('files: hostile tus and download requests', () => {
  let t: TestServer;
  let alice: TestClient;
  beforeAll(async () => {
    t = await startTestServer({ limits: { fileAuthorizationsPerAccountPerMinute: 10_000 } });
    alice = await connect(t, await registered(t, 'alice'));
  });
  afterAll(async () => {
    await alice.close();
    await t.stop();
  });
  const post = (headers: Record<string, string>) => rawRequest(t.url, 'POST', ROUTES.files, headers);

  it('refuse creation without a valid bearer token (401) or tus version (412)', async () => {
    const { token } = await authorize(alice, 100);
    const length = { 'upload-length': '100' };
    expect((await post({ ...TUS, ...length })).status).toBe(401);
    expect((await post({ ...TUS, ...length, authorization: `Basic ${token}` })).status).toBe(401);
    expect((await post({ ...TUS, ...length, authorization: `Bearer ${token}x` })).status).toBe(401);
    expect((await post({ ...TUS, ...length, authorization: 'Bearer short' })).status).toBe(401);
    expect((await post({ ...TUS, ...length, authorization: `Bearer ${'A'.repeat(200)}` })).status).toBe(401);
    expect((await post({ ...length, authorization: `Bearer ${token}` })).status).toBe(412);
    expect(
      (await post({ 'tus-resumable': '0.2.2', ...length, authorization: `Bearer ${token}` })).status,
    ).toBe(412);
    // None of these used the token up.
    expect((await create(t.url, token, 100)).status).toBe(201);
  });

  it('refuse bad lengths, deferred lengths, concatenation and metadata (400), and more than authorized (413)', async () => {
    const { token } = await authorize(alice, 1_000);
    const auth = { ...TUS, authorization: `Bearer ${token}` };
    for (const bad of ['', '-1', '1e3', '0x10', '+10', '10.0', 'abc', '99999999999999999999', '007']) {
      expect((await post({ ...auth, 'upload-length': bad })).status, `Upload-Length "${bad}"`).toBe(400);
    }
    expect((await post(auth)).status).toBe(400);
    expect((await post({ ...auth, 'upload-defer-length': '1' })).status).toBe(400);
    expect((await post({ ...auth, 'upload-length': '10', 'upload-concat': 'partial' })).status).toBe(400);
    expect(
      (await post({ ...auth, 'upload-length': '10', 'upload-metadata': 'filename c2VjcmV0LnR4dA==' })).status,
    ).toBe(400);
    expect((await post({ ...auth, 'upload-length': '1001' })).status).toBe(413);
    expect((await post({ ...auth, 'upload-length': String(2 ** 52) })).status).toBe(413);
    // The token still creates its one upload, then no other.
    expect((await create(t.url, token, 1_000)).status).toBe(201);
    expect((await create(t.url, token, 1_000)).status).toBe(403);
    expect((await create(t.url, token, 10)).status).toBe(403);
  });

  it('refuse other uploads, malformed ids and path tricks (403, 404), without a 500', async () => {
    const a = await authorize(alice, 100);
    const idA = await createUpload(t.url, a.token, 100);
    const b = await authorize(alice, 100);
    const idB = await createUpload(t.url, b.token, 100);
    expect((await head(t.url, a.token, idB)).status).toBe(403);
    expect((await patch(t.url, a.token, idB, 0, ciphertext(10))).status).toBe(403);
    expect(
      (
        await rawRequest(t.url, 'DELETE', `${ROUTES.files}/${idB}`, {
          ...TUS,
          authorization: `Bearer ${a.token}`,
        })
      ).status,
    ).toBe(403);
    const auth = { ...TUS, authorization: `Bearer ${a.token}` };
    for (const path of [
      `${ROUTES.files}/${idA.toUpperCase()}`,
      `${ROUTES.files}/${idA}0`,
      `${ROUTES.files}/../files/${idA}`,
      `${ROUTES.files}/..%2F..%2Fsotto.db`,
      `${ROUTES.files}/%2e%2e`,
      `${ROUTES.files}/${idA.slice(0, 31)}%00`,
      `${ROUTES.files}/${idA}.json`,
      `${ROUTES.files}/${idA}/extra`,
    ]) {
      for (const method of ['HEAD', 'PATCH', 'GET', 'DELETE']) {
        const res = await rawRequest(t.url, method, path, {
          ...auth,
          'content-type': OCTETS,
          'upload-offset': '0',
        });
        expect([400, 403, 404], `${method} ${path}`).toContain(res.status);
      }
    }
    // The upload a token has not created yet is not there.
    const c = await authorize(alice, 100);
    expect((await head(t.url, c.token, idA)).status).toBe(403);
    expect((await head(t.url, a.token, idA)).status).toBe(200);
  });

  it('refuse bad appends: content type (415), offsets (400, 403, 409) and bytes past the length (413)', async () => {
    const { token } = await authorize(alice, 1_000);
    const id = await createUpload(t.url, token, 1_000);
    const path = `${ROUTES.files}/${id}`;
    const auth = { ...TUS, authorization: `Bearer ${token}` };
    const body = ciphertext(100);
    expect((await rawRequest(t.url, 'PATCH', path, { ...auth, 'upload-offset': '0' }, body)).status).toBe(
      415,
    );
    expect(
      (
        await rawRequest(
          t.url,
          'PATCH',
          path,
          { ...auth, 'content-type': 'application/json', 'upload-offset': '0' },
          body,
        )
      ).status,
    ).toBe(415);
    expect((await rawRequest(t.url, 'PATCH', path, { ...auth, 'content-type': OCTETS }, body)).status).toBe(
      403,
    );
    for (const bad of ['-1', 'x', '1.5', '']) {
      expect(
        (
          await rawRequest(
            t.url,
            'PATCH',
            path,
            { ...auth, 'content-type': OCTETS, 'upload-offset': bad },
            body,
          )
        ).status,
      ).toBe(400);
    }
    expect((await patch(t.url, token, id, 5, body)).status).toBe(409);
    expect((await patch(t.url, token, id, 0, ciphertext(1_001))).status).toBe(413);
    expect(await head(t.url, token, id)).toMatchObject({ offset: 0 });
    // A chunked body (no Content-Length) running past the length is cut at the length: 413, never more bytes.
    const big = ciphertext(1_500);
    const chunked = await rawRequest(
      t.url,
      'PATCH',
      path,
      { ...auth, 'content-type': OCTETS, 'upload-offset': '0', 'transfer-encoding': 'chunked' },
      big,
      true,
    );
    expect([413, -1]).toContain(chunked.status);
    const state = await head(t.url, token, id);
    expect(state.offset).toBeLessThanOrEqual(1_000);
    const served = await download(t.url, id);
    if (served.status === 200)
      expect(Buffer.from(served.body).equals(Buffer.from(big.subarray(0, 1_000)))).toBe(true);
    else expect(state.offset).toBeLessThan(1_000);
  });

  it('advertise tus 1.0.0 with creation and termination only (OPTIONS, no token needed)', async () => {
    const res = await fetch(`${t.url}${ROUTES.files}`, { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('tus-version')).toBe('1.0.0');
    expect(res.headers.get('tus-extension')).toBe('creation,creation-with-upload,termination');
  });

  it('download only with a well-formed id of a finished file; ignore bad ranges', async () => {
    const bytes = ciphertext(5_000);
    const { token } = await authorize(alice, bytes.length);
    const id = await createUpload(t.url, token, bytes.length);
    await patch(t.url, token, id, 0, bytes.subarray(0, 4_999));
    expect((await download(t.url, id)).status).toBe(404);
    expect((await download(t.url, randomBytes(16).toString('hex'))).status).toBe(404);
    await patch(t.url, token, id, 4_999, bytes.subarray(4_999));
    for (const range of ['bytes=10-5', 'bytes=0-1,5-6', 'items=0-5', 'bytes=abc', 'bytes=-']) {
      const r = await download(t.url, id, range);
      expect(r.status, range).toBe(200);
      expect(r.body.length).toBe(bytes.length);
    }
    const suffix = await download(t.url, id, 'bytes=-10');
    expect(suffix.status).toBe(206);
    expect(Buffer.from(suffix.body).equals(Buffer.from(bytes.subarray(-10)))).toBe(true);
    const clipped = await download(t.url, id, 'bytes=4990-999999');
    expect(clipped.status).toBe(206);
    expect(clipped.body.length).toBe(10);
    // Nothing lists files; HEAD of a finished file needs its token (no probing of ids without one).
    expect((await rawRequest(t.url, 'GET', ROUTES.files, {})).status).toBe(404);
    expect((await rawRequest(t.url, 'GET', `${ROUTES.files}/`, {})).status).toBe(404);
    expect((await rawRequest(t.url, 'HEAD', `${ROUTES.files}/${id}`, TUS)).status).toBe(401);
  });

  it('answer 400 random tus requests without a 500, and never serve an unfinished upload', async () => {
    const uploads: { id: string; token: string; length: number }[] = [];
    for (let i = 0; i < 6; i++) {
      const length = 1 + i * 700;
      const { token } = await authorize(alice, length);
      uploads.push({ id: await createUpload(t.url, token, length), token, length });
    }
    const other = await authorize(alice, 50);
    const request = fc.record({
      method: fc.constantFrom('POST', 'HEAD', 'PATCH', 'DELETE', 'GET', 'OPTIONS', 'PUT'),
      upload: fc.nat({ max: uploads.length - 1 }),
      path: fc.constantFrom('own', 'collection', 'garbage'),
      token: fc.constantFrom('own', 'other', 'none', 'garbage'),
      offset: fc.oneof(fc.nat({ max: 5_000 }).map(String), fc.constantFrom('', '-1', 'x', '1e2')),
      contentType: fc.constantFrom(OCTETS, 'text/plain', ''),
      length: fc.oneof(fc.nat({ max: 6_000 }).map(String), fc.constantFrom('', 'x')),
      body: fc.nat({ max: 4_000 }),
      tus: fc.constantFrom('1.0.0', '', '0.2.2'),
    });
    for (const r of fc.sample(request, { numRuns: 400, seed: 11 })) {
      const u = uploads[r.upload];
      if (u === undefined) continue;
      const path =
        r.path === 'own'
          ? `${ROUTES.files}/${u.id}`
          : r.path === 'collection'
            ? ROUTES.files
            : `${ROUTES.files}/%ff%fe`;
      const token = { own: u.token, other: other.token, none: '', garbage: 'x'.repeat(43) }[r.token];
      const headers: Record<string, string> = {};
      if (r.tus !== '') headers['tus-resumable'] = r.tus;
      if (token !== '') headers.authorization = `Bearer ${token}`;
      if (r.offset !== '') headers['upload-offset'] = r.offset;
      if (r.contentType !== '') headers['content-type'] = r.contentType;
      if (r.length !== '') headers['upload-length'] = r.length;
      const body = r.method === 'PATCH' || r.method === 'POST' ? ciphertext(r.body) : undefined;
      const res = await rawRequest(t.url, r.method, path, headers, body);
      expect(res.status, JSON.stringify(r)).toBeLessThan(500);
    }
    for (const u of uploads) {
      const served = await download(t.url, u.id);
      const state = await head(t.url, u.token, u.id);
      if (served.status === 200) {
        expect(state).toMatchObject({ status: 200, offset: u.length, length: u.length });
        expect(served.body.length).toBe(u.length);
      } else expect(served.status).toBe(404);
    }
    expect(t.logs.join('')).not.toMatch(/"level":50/);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });
});
