/**
 * Encrypted file transfer between two `sotto` users (the real binary, a real server in the test process):
 * a 50 MiB file goes from alice to bob byte for byte with progress records; history shows file messages;
 * `receive --no-download` only reports, `sotto download` fetches later and never replaces a file; bad
 * paths are refused before connecting (exit 2), a file over the server's limit or the account's quota
 * is refused (exit 5).
 *
 * The server's limits are lowered so the refusals need no huge files: 60 MiB per file, 100 MiB per
 * account (the 50 MiB file counts against it).
 */
import { mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SERVER_LIMITS, type RunningServer } from '@sotto/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entries, sha256Of, storedBlobs, writeRandomFile } from './helpers/files.js';
import { okIn, registerPair } from './helpers/pair.js';
import { startTestServer } from './helpers/server.js';
import { jsonLines, type RunResult, runSotto, tempRoot } from './helpers/sotto.js';

const MiB = 1024 * 1024;
const temp = tempRoot('files');
const root = temp.path;
const A = join(root, 'alice');
const B = join(root, 'bob');
const PASSWORD = 'amber walnut trellis 58 comet';
let server: RunningServer;

/** Runs `sotto` as the device in `profile` (both are `--unattended`: no password needed). */
function as(profile: string, args: readonly string[]): Promise<RunResult> {
  return runSotto([...args, '--profile', profile]);
}

const ok = okIn;

const ofType = (records: Record<string, unknown>[], type: string) => records.filter((r) => r.type === type);

beforeAll(async () => {
  temp.create();
  server = await startTestServer(join(root, 'server'), 0, {
    limits: { ...DEFAULT_SERVER_LIMITS, maxFileBytes: 60 * MiB, fileQuotaBytesPerAccount: 100 * MiB },
  });
  await registerPair(server.url, A, B, PASSWORD);
}, 120_000);

afterAll(async () => {
  await server?.close(500);
  rmSync(root, { recursive: true, force: true });
});

describe.sequential('files between two sotto users', () => {
  it('sends a 50 MiB file that bob receives byte for byte, with progress records on both sides', {
    timeout: 180_000,
  }, async () => {
    const big = join(root, 'holiday video.mp4');
    writeRandomFile(big, 50 * MiB);
    const sent = await ok(A, ['send-file', 'bob', big, '--caption', 'from the beach', '--json']);
    const records = jsonLines(sent.stdout);
    const up = ofType(records, 'progress');
    expect(up.length).toBeGreaterThanOrEqual(3);
    for (const p of up) expect(p).toMatchObject({ direction: 'up', total: 50 * MiB });
    const bytes = up.map((p) => p.bytes as number);
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
    expect(bytes.at(-1)).toBe(50 * MiB);
    const result = records.at(-1);
    expect(result).toMatchObject({
      type: 'sent',
      to: 'bob',
      file: { name: 'holiday video.mp4', mediaType: 'video/mp4', size: 50 * MiB },
    });
    expect(sent.stderr).toBe(''); // no bar without a terminal

    const got = await ok(B, ['receive', '--count', '1', '--timeout', '120', '--json']);
    const received = jsonLines(got.stdout);
    const down = ofType(received, 'progress');
    expect(down.length).toBeGreaterThanOrEqual(3);
    expect(down.at(-1)).toMatchObject({ direction: 'down', bytes: 50 * MiB, total: 50 * MiB });
    const [message] = ofType(received, 'message');
    const savedTo = join(B, 'files', 'holiday video.mp4');
    expect(message).toMatchObject({
      id: result?.id,
      from: 'alice',
      text: 'from the beach',
      file: {
        name: 'holiday video.mp4',
        mediaType: 'video/mp4',
        size: 50 * MiB,
        state: 'downloaded',
        savedTo,
      },
    });
    expect(sha256Of(savedTo)).toBe(sha256Of(big));
    expect(entries(join(B, 'files'))).toEqual(['holiday video.mp4']); // no partial file left
    rmSync(big);
  });

  it('shows file messages in history on both sides', async () => {
    const mine = jsonLines((await ok(A, ['history', 'bob', '--json'])).stdout).at(-1);
    expect(mine).toMatchObject({
      direction: 'out',
      text: 'from the beach',
      file: { name: 'holiday video.mp4', size: 50 * MiB, state: 'uploaded' },
    });
    expect(['sent', 'delivered']).toContain(mine?.status);
    const theirs = (await ok(B, ['history', 'alice'])).stdout;
    expect(theirs).toMatch(
      /^\[\d\d:\d\d\] alice: file "holiday video\.mp4" \(50\.0 MiB, video\/mp4, downloaded\): from the beach$/m,
    );
  });

  it('--no-download only reports a file; "sotto download" fetches it later and never replaces a file', {
    timeout: 90_000,
  }, async () => {
    const small = join(root, 'notes.txt');
    writeFileSync(small, 'shopping list: figs, bread\n'.repeat(400));
    const sent = jsonLines((await ok(A, ['send-file', 'bob', small, '--json'])).stdout).at(-1);
    const id = String(sent?.id);

    const report = jsonLines(
      (await ok(B, ['receive', '--count', '1', '--timeout', '30', '--no-download', '--json'])).stdout,
    );
    expect(ofType(report, 'message')[0]).toMatchObject({
      id,
      file: { name: 'notes.txt', mediaType: 'text/plain', state: 'available' },
    });
    expect(JSON.stringify(report)).not.toContain('savedTo');
    expect(entries(join(B, 'files'))).toEqual(['holiday video.mp4']);

    const first = await ok(B, ['download', id]);
    expect(first.stdout).toContain(`saved to ${join(B, 'files', 'notes.txt')}`);
    const second = jsonLines((await ok(B, ['download', id, '--json'])).stdout).at(-1);
    expect(second).toMatchObject({
      id,
      file: { state: 'downloaded', savedTo: join(B, 'files', 'notes (1).txt') },
    });
    const chosen = join(root, 'chosen.txt');
    await ok(B, ['download', id, '--to', chosen]);
    for (const copy of [join(B, 'files', 'notes.txt'), join(B, 'files', 'notes (1).txt'), chosen]) {
      expect(readFileSync(copy)).toEqual(readFileSync(small));
    }

    // --to an existing file: refused before connecting, the file untouched.
    writeFileSync(chosen, 'mine');
    const exists = await as(B, ['download', id, '--to', chosen]);
    expect(exists.code).toBe(2);
    expect(exists.stderr).toMatch(/\[FILE_EXISTS\]/);
    expect(readFileSync(chosen, 'utf8')).toBe('mine');
    const unknown = await as(B, ['download', 'ab'.repeat(16)]);
    expect({ code: unknown.code, stderr: unknown.stderr }).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/\[MESSAGE_NOT_FOUND\]/),
    });
    expect((await as(B, ['download', '../etc'])).code).toBe(2);
  });

  it('refuses a missing file or a directory before connecting (exit 2)', async () => {
    const missing = await as(A, ['send-file', 'bob', join(root, 'nope.pdf')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file: .*nope\.pdf \[USAGE\]/);
    const dir = join(root, 'a-directory');
    mkdirSync(dir);
    const directory = await as(A, ['send-file', 'bob', dir]);
    expect(directory.code).toBe(2);
    expect(directory.stderr).toMatch(/is a directory/);
    // Refused before any connection: a dead server does not change the answer.
    const offline = await as(A, ['send-file', 'bob', dir, '--server', 'http://127.0.0.1:1']);
    expect(offline.code).toBe(2);
  });

  it('refuses a recipient who is not a contact before uploading anything: exit 5', async () => {
    const path = join(root, 'letter.txt');
    writeFileSync(path, 'dear carol');
    const blobs = storedBlobs(join(root, 'server')).length;
    const r = await as(A, ['send-file', 'carol', path]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/carol is not a contact yet .*\[NOT_A_CONTACT\]/);
    expect(storedBlobs(join(root, 'server'))).toHaveLength(blobs);
  });

  it('refuses a file over the server limit (FILE_TOO_LARGE) or over the quota (QUOTA_EXCEEDED): exit 5', {
    timeout: 60_000,
  }, async () => {
    // Sparse files: the server refuses them by their size, before a byte is uploaded.
    const huge = join(root, 'huge.iso');
    writeFileSync(huge, '');
    truncateSync(huge, 61 * MiB);
    const tooLarge = await as(A, ['send-file', 'bob', huge]);
    expect(tooLarge.code).toBe(5);
    expect(tooLarge.stderr).toMatch(/\[FILE_TOO_LARGE\]/);
    // 50 MiB are stored for alice already; 55 more would pass 100.
    truncateSync(huge, 55 * MiB);
    const overQuota = await as(A, ['send-file', 'bob', huge, '--json']);
    expect(overQuota.code).toBe(5);
    expect(overQuota.stderr).toMatch(/\[QUOTA_EXCEEDED\]/);
    const failed = jsonLines((await ok(A, ['history', 'bob', '--json'])).stdout).at(-1);
    expect(failed).toMatchObject({ status: 'failed', error: 'QUOTA_EXCEEDED', file: { name: 'huge.iso' } });
  });
});
