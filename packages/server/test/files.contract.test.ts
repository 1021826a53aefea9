/**
 * The files contract, run unchanged against each blob store: the file store in the data directory, and an
 * S3 bucket on a real S3-protocol server (s3rver, in this process). Real server on an ephemeral port, real
 * WebSocket for `files.authorize` / `files.delete`, real HTTP for tus and downloads, real SQLite.
 */
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_LIMITS } from '@sotto/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { S3Location } from '../src/modules/files/s3-location.js';
import type { TestClient } from './helpers/client.js';
import {
  authorize,
  ciphertext,
  createUpload,
  download,
  head,
  interruptedPatch,
  patch,
  upload,
} from './helpers/files.js';
import { startTestS3, type TestS3 } from './helpers/s3.js';
import { filesUnder, startTestServer, TestClock, type TestServer } from './helpers/server.js';
import { connect, registered } from './helpers/world.js';

/** A blob store under test: how to configure it, and how to reach behind the server's back. */
interface StoreFixture {
  readonly name: string;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  files(dataDir: string): string | S3Location | undefined;
  /** Every file the store keeps, anywhere. */
  storedFiles(dataDir: string): string[];
  /** Puts bytes under `id` without the server knowing. */
  putStray(dataDir: string, id: string, bytes: Uint8Array): Promise<void>;
  /** Deletes the finished bytes of `id` without the server knowing. */
  loseBytes(dataDir: string, id: string): Promise<void>;
}

const fileStore: StoreFixture = {
  name: 'file store',
  setup: async () => {},
  teardown: async () => {},
  files: () => undefined,
  storedFiles: (dataDir) => filesUnder(join(dataDir, 'files')),
  putStray: async (dataDir, id, bytes) => {
    writeFileSync(join(dataDir, 'files', id), bytes);
    writeFileSync(join(dataDir, 'files', `${id}.json`), JSON.stringify({ id, size: bytes.length }));
  },
  loseBytes: async (dataDir, id) => unlinkSync(join(dataDir, 'files', id)),
};

let s3: TestS3 | undefined;
let s3Dir = '';
const s3Client = (loc: S3Location) =>
  new S3Client({
    endpoint: loc.endpoint,
    region: loc.region,
    forcePathStyle: true,
    ...(loc.credentials ? { credentials: loc.credentials } : {}),
  });
const s3Store: StoreFixture = {
  name: 'S3 store (s3rver)',
  setup: async () => {
    s3Dir = mkdtempSync(join(tmpdir(), 'sotto-s3-'));
    s3 = await startTestS3(s3Dir);
  },
  teardown: async () => {
    await s3?.close();
    rmSync(s3Dir, { recursive: true, force: true });
  },
  files: () => s3?.location,
  storedFiles: () => filesUnder(s3Dir),
  putStray: async (_dataDir, id, bytes) => {
    if (s3 === undefined) throw new Error('no s3');
    const client = s3Client(s3.location);
    await client.send(new PutObjectCommand({ Bucket: s3.location.bucket, Key: id, Body: bytes }));
    await client.send(new PutObjectCommand({ Bucket: s3.location.bucket, Key: `${id}.info`, Body: '{}' }));
    client.destroy();
  },
  loseBytes: async (_dataDir, id) => {
    if (s3 === undefined) throw new Error('no s3');
    const client = s3Client(s3.location);
    await client.send(new DeleteObjectCommand({ Bucket: s3.location.bucket, Key: id }));
    client.destroy();
  },
};

const equalBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

for (const fixture of [fileStore, s3Store]) {
  describe(`files contract: ${fixture.name}`, () => {
    let t: TestServer;
    let clock: TestClock;
    let alice: TestClient;

    beforeEach(async () => {
      // A fresh bucket per test: garbage collection must see only this test's server.
      await fixture.setup();
      clock = new TestClock();
      const dataDir = mkdtempSync(join(tmpdir(), 'sotto-files-'));
      t = await startTestServer({ clock, dataDir, config: { files: fixture.files(dataDir) } });
      alice = await connect(t, await registered(t, 'alice'));
    });
    afterEach(async () => {
      await alice.close();
      await t.stop();
      await fixture.teardown();
    });

    it('upload in parts, resume from HEAD, then download whole and from an offset (206)', async () => {
      const bytes = ciphertext(700_001);
      const { token } = await authorize(alice, bytes.length);
      const id = await createUpload(t.url, token, bytes.length);
      expect(await head(t.url, token, id)).toEqual({ status: 200, offset: 0, length: bytes.length });
      expect(await patch(t.url, token, id, 0, bytes.subarray(0, 300_000))).toEqual({
        status: 204,
        offset: 300_000,
      });
      expect((await download(t.url, id)).status).toBe(404);
      expect(await head(t.url, token, id)).toEqual({ status: 200, offset: 300_000, length: bytes.length });
      expect(await patch(t.url, token, id, 300_000, bytes.subarray(300_000))).toEqual({
        status: 204,
        offset: bytes.length,
      });
      const whole = await download(t.url, id);
      expect(whole.status).toBe(200);
      expect(whole.headers.get('content-length')).toBe(String(bytes.length));
      expect(whole.headers.get('content-type')).toBe('application/octet-stream');
      expect(whole.headers.get('accept-ranges')).toBe('bytes');
      expect(equalBytes(whole.body, bytes)).toBe(true);
      const tail = await download(t.url, id, 'bytes=650000-');
      expect(tail.status).toBe(206);
      expect(tail.headers.get('content-range')).toBe(`bytes 650000-700000/${bytes.length}`);
      expect(tail.headers.get('content-length')).toBe('50001');
      expect(equalBytes(tail.body, bytes.subarray(650_000))).toBe(true);
      expect((await download(t.url, id, `bytes=${bytes.length}-`)).status).toBe(416);
    });

    it('resume an upload whose connection dropped mid-body from the offset the server reports', async () => {
      const bytes = ciphertext(1_500_000);
      const { token } = await authorize(alice, bytes.length);
      const id = await createUpload(t.url, token, bytes.length);
      await interruptedPatch(t.url, token, id, 0, bytes, 600_000);
      let state = await head(t.url, token, id);
      // The lock of the dropped request is released within tus's drain time.
      for (let i = 0; i < 50 && state.status !== 200; i++) state = await head(t.url, token, id);
      expect(state.status).toBe(200);
      expect(state.offset).toBeGreaterThanOrEqual(0);
      expect(state.offset).toBeLessThanOrEqual(600_000);
      expect(await patch(t.url, token, id, state.offset + 1, bytes.subarray(state.offset + 1))).toMatchObject(
        {
          status: 409,
        },
      );
      expect(await patch(t.url, token, id, state.offset, bytes.subarray(state.offset))).toEqual({
        status: 204,
        offset: bytes.length,
      });
      expect(equalBytes((await download(t.url, id)).body, bytes)).toBe(true);
    });

    it('expire an unfinished upload after the upload TTL and a finished file after the maximum age', async () => {
      const unfinished = ciphertext(10_000);
      const { token } = await authorize(alice, unfinished.length);
      const partial = await createUpload(t.url, token, unfinished.length);
      await patch(t.url, token, partial, 0, unfinished.subarray(0, 5_000));
      const done = await upload(t.url, alice, ciphertext(20_000));
      const before = fixture.storedFiles(t.dataDir).length;
      clock.advance(DEFAULT_LIMITS.uploadTtlMs + 1);
      expect(await t.server.sweepFilesNow(false)).toMatchObject({ expired: 1 });
      expect((await head(t.url, token, partial)).status).toBe(401);
      expect(fixture.storedFiles(t.dataDir).length).toBeLessThan(before);
      expect((await download(t.url, done)).status).toBe(200);
      clock.advance(DEFAULT_LIMITS.fileMaxAgeMs);
      expect((await download(t.url, done)).status).toBe(404);
      expect(await t.server.sweepFilesNow(false)).toMatchObject({ expired: 1 });
      expect(fixture.storedFiles(t.dataDir).filter((f) => f.includes(done))).toEqual([]);
    });

    it('delete a file at once with files.delete, only for its own account', async () => {
      const id = await upload(t.url, alice, ciphertext(30_000));
      const bob = await connect(t, await registered(t, 'bob'));
      expect(await bob.request({ t: 'files.delete', fileId: id })).toMatchObject({
        t: 'error',
        code: 'FILE_NOT_FOUND',
      });
      expect((await download(t.url, id)).status).toBe(200);
      expect(await alice.request({ t: 'files.delete', fileId: id })).toMatchObject({ t: 'ok' });
      expect((await download(t.url, id)).status).toBe(404);
      expect(fixture.storedFiles(t.dataDir).filter((f) => f.includes(id))).toEqual([]);
      expect(await alice.request({ t: 'files.delete', fileId: id })).toMatchObject({
        t: 'error',
        code: 'FILE_NOT_FOUND',
      });
      await bob.close();
    });

    it('collect stored bytes without a record, and a finished record whose bytes are gone', async () => {
      const stray = 'ab'.repeat(16);
      await fixture.putStray(t.dataDir, stray, ciphertext(1_000));
      const kept = await upload(t.url, alice, ciphertext(2_000));
      const lost = await upload(t.url, alice, ciphertext(3_000));
      await fixture.loseBytes(t.dataDir, lost);
      expect((await download(t.url, lost)).status).toBe(404);
      expect(await t.server.sweepFilesNow()).toMatchObject({ expired: 0, collected: 2 });
      expect(fixture.storedFiles(t.dataDir).filter((f) => f.includes(stray))).toEqual([]);
      expect((await download(t.url, kept)).status).toBe(200);
      // The lost file's quota is free again: the whole quota can be authorized but for the kept file.
      const rest = DEFAULT_LIMITS.fileQuotaBytesPerAccount - 2_000;
      expect(
        await alice.request({ t: 'files.authorize', size: Math.min(rest, DEFAULT_LIMITS.maxFileBytes) }),
      ).toMatchObject({
        t: 'files.authorize.result',
      });
    });

    it('store exactly the uploaded ciphertext and nothing of it elsewhere, nor the token', async () => {
      const bytes = ciphertext(400_000);
      const { token } = await authorize(alice, bytes.length);
      const id = await createUpload(t.url, token, bytes.length);
      await patch(t.url, token, id, 0, bytes.subarray(0, 123_457));
      await patch(t.url, token, id, 123_457, bytes.subarray(123_457));
      const paths = new Set([...fixture.storedFiles(t.dataDir), ...filesUnder(t.dataDir)]);
      const stored = [...paths].map((f) => readFileSync(f));
      const copies = stored.filter((b) => b.equals(Buffer.from(bytes)));
      expect(copies).toHaveLength(1);
      const rest = Buffer.concat(stored.filter((b) => !b.equals(Buffer.from(bytes))));
      const everything = Buffer.concat([rest, Buffer.from(t.logs.join(''))]);
      for (let at = 0; at + 16 <= bytes.length; at += 20_000) {
        expect(rest.includes(Buffer.from(bytes.subarray(at, at + 16)))).toBe(false);
      }
      expect(everything.includes(Buffer.from(token))).toBe(false);
    });

    it('report stored files and bytes in /metrics', async () => {
      await upload(t.url, alice, ciphertext(12_345));
      await t.server.sweepFilesNow(false);
      const text = await (await fetch(`${t.url}/metrics`)).text();
      expect(text).toMatch(/^sotto_files_stored 1$/m);
      expect(text).toMatch(/^sotto_files_stored_bytes 12345$/m);
      expect(text).toMatch(/^sotto_file_uploads 0$/m);
      expect(text).toMatch(/^sotto_file_upload_bytes_finished_total 12345$/m);
    });
  });
}
