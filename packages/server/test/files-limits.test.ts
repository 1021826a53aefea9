/**
 * The limits of files over a real WebSocket and HTTP: the size limit, the per-account quota (stored,
 * uploading and authorized files all count; deleting frees it), and the rate limit of `files.authorize`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestClient } from './helpers/client.js';
import {
  authorize,
  authorizeCode,
  ciphertext,
  create,
  createUpload,
  patch,
  upload,
} from './helpers/files.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { connect, registered } from './helpers/world.js';

describe('files limits', () => {
  let t: TestServer;
  let alice: TestClient;
  beforeEach(async () => {
    t = await startTestServer({
      limits: {
        maxFileBytes: 10_000,
        fileQuotaBytesPerAccount: 25_000,
        fileAuthorizationsPerAccountPerMinute: 8,
      },
    });
    alice = await connect(t, await registered(t, 'alice'));
  });
  afterEach(async () => {
    await alice.close();
    await t.stop();
  });

  it('refuse a file over the size limit (FILE_TOO_LARGE), and an upload longer than authorized (413)', async () => {
    expect(await authorizeCode(alice, 10_001)).toBe('FILE_TOO_LARGE');
    const answer = await alice.request({ t: 'files.authorize', size: 10_001 });
    expect(answer).toMatchObject({ t: 'error', code: 'FILE_TOO_LARGE' });
    const { token } = await authorize(alice, 10_000);
    expect((await create(t.url, token, 10_001)).status).toBe(413);
    const id = await createUpload(t.url, token, 10_000);
    expect((await patch(t.url, token, id, 0, ciphertext(10_001))).status).toBe(413);
  });

  it('refuse uploads beyond the quota (QUOTA_EXCEEDED) until files are deleted', async () => {
    const first = await upload(t.url, alice, ciphertext(10_000));
    const { token } = await authorize(alice, 10_000);
    // Declared smaller than authorized: the quota counts the declared size from then on.
    await createUpload(t.url, token, 4_000);
    // 10,000 stored + 4,000 uploading: a grant counts at its authorized size until its upload exists.
    expect(await authorizeCode(alice, 10_000)).toBe('ok');
    expect(await authorizeCode(alice, 2_000)).toBe('QUOTA_EXCEEDED');
    expect(await authorizeCode(alice, 1_000)).toBe('ok');
    expect(await authorizeCode(alice, 1)).toBe('QUOTA_EXCEEDED');
    expect(await alice.request({ t: 'files.delete', fileId: first })).toMatchObject({ t: 'ok' });
    expect(await authorizeCode(alice, 10_000)).toBe('ok');
    // Another account has its own quota.
    const bob = await connect(t, await registered(t, 'bob'));
    expect(await authorizeCode(bob, 10_000)).toBe('ok');
    await bob.close();
  });

  it('rate-limit files.authorize per account (RATE_LIMITED)', async () => {
    const codes: string[] = [];
    for (let i = 0; i < 10; i++) codes.push(await authorizeCode(alice, 1));
    expect(codes.slice(0, 8)).toEqual(Array(8).fill('ok'));
    expect(codes.slice(8)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
  });

  it('refuse files.authorize before authentication', async () => {
    const { TestClient } = await import('./helpers/client.js');
    const { client } = await TestClient.open(t.wsUrl);
    expect(await client.request({ t: 'files.authorize', size: 10 })).toMatchObject({
      t: 'error',
      code: 'UNAUTHENTICATED',
    });
    await client.close();
  });
});
