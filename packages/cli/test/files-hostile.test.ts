/**
 * Files that must not be trusted: a ciphertext tampered with on the server (one byte of the stored blob
 * flipped while the server runs) is reported as FILE_INTEGRITY by `receive` and `download`, and nothing
 * of it is saved; file names full of escape sequences, bidi overrides, dots, dashes and duplicates are
 * saved directly in the files directory under safe, unique names, never replacing a file, and shown
 * escaped.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunningServer } from '@sotto/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entries, storedBlobs, writeRandomFile } from './helpers/files.js';
import { okIn, registerPair } from './helpers/pair.js';
import { startTestServer } from './helpers/server.js';
import { jsonLines, type RunResult, runSotto, tempRoot } from './helpers/sotto.js';

const MiB = 1024 * 1024;
const temp = tempRoot('files-hostile');
const root = temp.path;
const dataDir = join(root, 'server');
const A = join(root, 'alice');
const B = join(root, 'bob');
const FILES = join(B, 'files');
let server: RunningServer;

/** Characters that must never reach a terminal raw (line breaks aside). */
const RAW =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

async function as(profile: string, args: readonly string[]): Promise<RunResult> {
  return runSotto([...args, '--profile', profile]);
}

const ok = okIn;

beforeAll(async () => {
  temp.create();
  server = await startTestServer(dataDir);
  await registerPair(server.url, A, B, 'gravel orchid tundra 83 violin');
}, 120_000);

afterAll(async () => {
  await server?.close(500);
  rmSync(root, { recursive: true, force: true });
});

describe.sequential('untrusted files', () => {
  it('a ciphertext tampered with on the server: receive and download report FILE_INTEGRITY, nothing is saved', {
    timeout: 90_000,
  }, async () => {
    const plain = join(root, 'contract.pdf');
    writeRandomFile(plain, 3 * MiB + 1234);
    const sent = jsonLines((await ok(A, ['send-file', 'bob', plain, '--json'])).stdout).at(-1);
    const [blob] = storedBlobs(dataDir);
    if (blob === undefined) throw new Error('no stored ciphertext');
    const bytes = readFileSync(blob.path);
    bytes[2 * MiB] = (bytes[2 * MiB] as number) ^ 0x01; // one bit, inside a chunk
    writeFileSync(blob.path, bytes);

    const human = await ok(B, ['receive', '--count', '1', '--timeout', '60']);
    expect(human.stdout).toMatch(/alice: file "contract\.pdf" \(3\.0 MiB, application\/pdf, failed\)/);
    expect(human.stdout).toMatch(/^ +not saved: it is not the file its sender sent .*\[FILE_INTEGRITY\]$/m);
    expect(entries(FILES)).toEqual([]); // not even a partial file

    const again = await as(B, ['download', String(sent?.id), '--json']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/\[FILE_INTEGRITY\]/);
    expect(entries(FILES)).toEqual([]);
    const record = jsonLines((await ok(B, ['history', 'alice', '--json'])).stdout).at(-1);
    expect(record).toMatchObject({
      error: 'FILE_INTEGRITY',
      file: { name: 'contract.pdf', state: 'failed' },
    });
  });

  it('reports FILE_INTEGRITY in the --json record (a tampered final chunk) and saves nothing', {
    timeout: 60_000,
  }, async () => {
    const plain = join(root, 'minutes.txt');
    writeRandomFile(plain, 200_000);
    const before = new Set(storedBlobs(dataDir).map((b) => b.path));
    await ok(A, ['send-file', 'bob', plain]);
    const blob = storedBlobs(dataDir).find((b) => !before.has(b.path));
    if (blob === undefined) throw new Error('no stored ciphertext');
    const bytes = readFileSync(blob.path);
    bytes[blob.size - 1] = (bytes[blob.size - 1] as number) ^ 0x80; // the final chunk's tag
    writeFileSync(blob.path, bytes);

    const records = jsonLines((await ok(B, ['receive', '--count', '1', '--timeout', '60', '--json'])).stdout);
    const message = records.find((r) => r.type === 'message');
    expect(message?.file).toEqual({
      name: 'minutes.txt',
      mediaType: 'text/plain',
      size: 200_000,
      state: 'failed',
      error: 'FILE_INTEGRITY',
    });
    expect(entries(FILES)).toEqual([]);
  });

  it('saves files with hostile names directly in the files directory, safely named, never replacing one', {
    timeout: 120_000,
  }, async () => {
    const names = [
      'red\u001b[31mALERT\u001b[0m.txt',
      'invoice\u202etxt.exe',
      '.bashrc',
      '-rf',
      'line\nbreak.txt',
      '..\u200b',
      'back\\slash.txt',
      `${'é'.repeat(120)}.txt`,
      'same.txt',
    ];
    const dir = join(root, 'outgoing');
    mkdirSync(dir);
    mkdirSync(join(root, 'outgoing-2'));
    for (const [i, name] of names.entries()) writeFileSync(join(dir, name), `file ${i}`);
    writeFileSync(join(root, 'outgoing-2', 'same.txt'), 'the second same.txt');
    writeFileSync(join(FILES, 'same.txt'), 'bob’s own file');
    for (const name of names) await ok(A, ['send-file', 'bob', join(dir, name)]);
    await ok(A, ['send-file', 'bob', join(root, 'outgoing-2', 'same.txt')]);
    const count = names.length + 1;

    const records = jsonLines(
      (await ok(B, ['receive', '--count', String(count), '--timeout', '60', '--json'])).stdout,
    ).filter((r) => r.type === 'message');
    expect(records).toHaveLength(count);
    for (const r of records) {
      const savedTo = String((r.file as { savedTo?: string }).savedTo);
      expect(dirname(savedTo)).toBe(FILES);
    }

    const saved = entries(FILES);
    expect(saved).toHaveLength(count + 1); // and bob's own same.txt
    for (const name of saved) {
      expect(name).not.toMatch(RAW);
      expect(name).not.toMatch(/^[.-]/);
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    }
    expect(saved).toEqual(
      expect.arrayContaining([
        'red[31mALERT[0m.txt',
        'invoicetxt.exe',
        '_bashrc',
        '_rf',
        'linebreak.txt',
        'file',
        'back_slash.txt',
        'same.txt',
        'same (1).txt',
        'same (2).txt',
      ]),
    );
    expect(readFileSync(join(FILES, 'same.txt'), 'utf8')).toBe('bob’s own file');
    expect(readFileSync(join(FILES, 'same (2).txt'), 'utf8')).toBe('the second same.txt');
    expect(saved.find((n) => n.startsWith('é'))).toMatch(/^é+\.txt$/);

    const human = await ok(B, ['history', 'alice']);
    expect(human.stdout).not.toMatch(RAW);
    expect(human.stdout).toContain('file "red[31mALERT[0m.txt"');
  });
});
