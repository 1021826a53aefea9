/**
 * Files across two nodes sharing PostgreSQL and one S3 bucket (s3rver): an upload started on one node is
 * resumed and finished on the other, either node serves it, the quota counts the account's files on both,
 * a delete on one is seen by the other at once, and a sweep on either collects nothing that is in use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestClient } from './helpers/client.js';
import {
  authorize,
  authorizeCode,
  ciphertext,
  createUpload,
  download,
  head,
  patch,
} from './helpers/files.js';
import { startTestS3, type TestS3 } from './helpers/s3.js';
import { startNextNode, startTestServer, type TestServer } from './helpers/server.js';
import { describeWith, dropSchema, postgresUrlWithSchema, testSchemaName } from './helpers/services.js';
import { connect, registered } from './helpers/world.js';

await describeWith(['postgres'], 'files scale-out: two nodes on PostgreSQL and one S3 bucket', () => {
  const schema = testSchemaName();
  const store = postgresUrlWithSchema(schema);
  const s3Dir = mkdtempSync(join(tmpdir(), 'sotto-s3-'));
  let s3: TestS3;
  let a: TestServer;
  let b: TestServer;
  let onA: TestClient;
  let onB: TestClient;

  beforeAll(async () => {
    s3 = await startTestS3(s3Dir);
    const limits = { fileQuotaBytesPerAccount: 3_000_000 };
    a = await startTestServer({ store, limits, config: { files: s3.location } });
    b = await startNextNode(a, { store, limits, config: { files: s3.location } });
    const alice = await registered(a, 'alice');
    onA = await connect(a, alice);
    onB = await connect(b, alice);
  });
  afterAll(async () => {
    await onA?.close();
    await onB?.close();
    await a?.stop();
    await b?.stop();
    await s3?.close();
    rmSync(s3Dir, { recursive: true, force: true });
    await dropSchema(schema);
  });

  it('resume on node B an upload begun on node A; both serve it; quota and deletes are shared', async () => {
    const bytes = ciphertext(1_200_000);
    const { token } = await authorize(onA, bytes.length);
    const id = await createUpload(a.url, token, bytes.length);
    expect(await patch(a.url, token, id, 0, bytes.subarray(0, 500_000))).toEqual({
      status: 204,
      offset: 500_000,
    });
    expect(await head(b.url, token, id)).toEqual({ status: 200, offset: 500_000, length: bytes.length });
    expect(await patch(b.url, token, id, 500_000, bytes.subarray(500_000))).toEqual({
      status: 204,
      offset: bytes.length,
    });
    for (const node of [a, b]) {
      const got = await download(node.url, id);
      expect(got.status).toBe(200);
      expect(Buffer.from(got.body).equals(Buffer.from(bytes))).toBe(true);
    }
    // 1.2 MB stored through A and B: 1.8 MB left for the account, asked on either node.
    expect(await authorizeCode(onB, 1_900_000)).toBe('QUOTA_EXCEEDED');
    expect(await authorizeCode(onA, 1_800_000)).toBe('ok');
    expect(await a.server.sweepFilesNow()).toMatchObject({ expired: 0, collected: 0 });
    expect(await b.server.sweepFilesNow()).toMatchObject({ expired: 0, collected: 0 });
    expect((await download(a.url, id)).status).toBe(200);
    expect(await onB.request({ t: 'files.delete', fileId: id })).toMatchObject({ t: 'ok' });
    expect((await download(a.url, id)).status).toBe(404);
  });
});
