/**
 * The parts of file transfer that need no server: names cleaned on arrival, the file content encoding,
 * ciphertext re-created from any offset with its digest (what resuming relies on), sources and sinks.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileSealer, encryptFile, FILE_CHUNK_BYTES, fileCipherSize, SottoError } from '@sotto/crypto';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeContent, encodeContent, type FileContent } from '../src/content.js';
import { CiphertextProducer, plainOffsetAt } from '../src/files/ciphertext.js';
import { receivedFile } from '../src/files/receive.js';
import { statusError } from '../src/files/tus.js';
import {
  blobSink,
  cleanFileName,
  fileFromBlob,
  fileFromBytes,
  fileSinkAt,
  mediaTypeOf,
  memorySink,
} from '../src/index.js';
import { provider as p } from './helpers/world.js';

const dir = mkdtempSync(join(tmpdir(), 'sotto-files-units-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (over: Partial<FileContent> = {}): FileContent => ({
  t: 'file',
  id: new Uint8Array(16).fill(1),
  sentAt: 1_800_000_000_000,
  seq: 7,
  fileId: 'ab'.repeat(16),
  key: new Uint8Array(32).fill(2),
  digest: new Uint8Array(32).fill(3),
  size: 100_000,
  cipherSize: fileCipherSize(100_000),
  mediaType: 'image/png',
  name: 'cat.png',
  ...over,
});

describe('file names and media types', () => {
  it('cleans names from another device of path separators, controls, bidi overrides and dot names', () => {
    expect(cleanFileName('../../etc/passwd')).toBe('.._.._etc_passwd');
    expect(cleanFileName('C:\\Users\\me\\x.doc')).toBe('C:_Users_me_x.doc');
    expect(cleanFileName('invoice\u202Egpj.exe')).toBe('invoicegpj.exe');
    expect(cleanFileName('a\u0000b\nc\u001b[31m.txt')).toBe('abc[31m.txt');
    expect(cleanFileName('..')).toBe('file');
    expect(cleanFileName('  \u200b ')).toBe('file');
    expect([...cleanFileName('é'.repeat(300))]).toHaveLength(255);
    expect(mediaTypeOf('Photo.JPG')).toBe('image/jpeg');
    expect(mediaTypeOf('noext')).toBe('application/octet-stream');
  });

  it('shows a received file with a cleaned name and a valid media type, and keeps its key out of the message', () => {
    const r = receivedFile(
      'cd'.repeat(16),
      file({ name: '/tmp/../x\u202E.sh', mediaType: 'text/html; charset=x' }),
    );
    expect(r.file).toEqual({
      name: '_tmp_.._x.sh',
      mediaType: 'application/octet-stream',
      size: 100_000,
      state: 'available',
    });
    expect(JSON.stringify(r.file)).not.toContain('2,2,2');
  });
});

describe('file content', () => {
  it('round-trips with and without the optional parts, for own devices with `to`', () => {
    const thumbnail = {
      bytes: new Uint8Array(50).fill(9),
      mediaType: 'image/webp' as const,
      width: 4,
      height: 3,
    };
    for (const c of [
      file(),
      file({ to: 'bob', caption: 'look', thumbnail, durationMs: 1234 }),
      file({ size: 0, cipherSize: fileCipherSize(0) }),
    ]) {
      expect(decodeContent(encodeContent(c))).toEqual(c);
    }
  });

  it('refuses sizes that disagree, a partial thumbnail, or a bad file id', () => {
    expect(() => encodeContent(file({ fileId: 'XY'.repeat(16) }))).toThrow(SottoError);
    const wrong = encodeContent({
      ...file(),
      t: 'file',
      cipherSize: fileCipherSize(100_000) + 1,
    } as FileContent);
    expect(() => decodeContent(wrong)).toThrow(SottoError);
    expect(() =>
      encodeContent(
        file({
          thumbnail: { bytes: new Uint8Array(1), mediaType: 'image/gif' as 'image/png', width: 1, height: 1 },
        }),
      ),
    ).toThrow(SottoError);
  });
});

describe('ciphertext re-created from the source', () => {
  it('gives any range equal to the whole encryption, and the digest of the whole, however it is asked for', async () => {
    const plain = new Uint8Array(3 * FILE_CHUNK_BYTES + 777).map((_, i) => (i * 13) & 0xff);
    const key = p.randomBytes(32);
    const whole = await encryptFile(p, key, plain);
    const digest = createHash('sha256').update(whole).digest('hex');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat({ max: whole.length }), { minLength: 1, maxLength: 6 }),
        async (cuts) => {
          const producer = new CiphertextProducer(
            p,
            await createFileSealer(p, key, plain.length),
            fileFromBytes(plain, 'x'),
          );
          // Ask for ranges as an upload would after drops: each starts at or before what was produced.
          let at = 0;
          for (const cut of [...cuts.sort((a, b) => a - b), whole.length]) {
            const from = Math.max(0, at - (cut % 1000));
            const to = Math.max(from, cut);
            const got = await producer.range(from, to);
            expect(Buffer.from(got).equals(whole.subarray(from, to))).toBe(true);
            at = Math.max(at, to);
          }
          expect(Buffer.from(producer.digest()).toString('hex')).toBe(digest);
        },
      ),
      { numRuns: 30 },
    );
    // After a restart: hash the prefix the server has, then go on from there.
    const fresh = new CiphertextProducer(
      p,
      await createFileSealer(p, key, plain.length),
      fileFromBytes(plain, 'x'),
    );
    await fresh.hashUpTo(100_000, 65_536);
    expect(Buffer.from(await fresh.range(100_000, whole.length)).equals(whole.subarray(100_000))).toBe(true);
    expect(Buffer.from(fresh.digest()).toString('hex')).toBe(digest);
  });

  it('maps ciphertext offsets to the plaintext they hold', () => {
    const size = 2 * FILE_CHUNK_BYTES + 10;
    expect(plainOffsetAt(0, size)).toBe(0);
    expect(plainOffsetAt(35, size)).toBe(0);
    expect(plainOffsetAt(35 + 100, size)).toBe(100);
    expect(plainOffsetAt(35 + FILE_CHUNK_BYTES + 16, size)).toBe(FILE_CHUNK_BYTES);
    expect(plainOffsetAt(35 + FILE_CHUNK_BYTES + 8, size)).toBe(FILE_CHUNK_BYTES);
    expect(plainOffsetAt(fileCipherSize(size), size)).toBe(size);
    expect(plainOffsetAt(fileCipherSize(size) - 16, size)).toBe(size);
  });
});

describe('sources and sinks', () => {
  it('reads a Blob in slices, with its type or the one of its name', async () => {
    const blob = new Blob([new Uint8Array([1, 2, 3, 4, 5])], { type: 'text/plain' });
    const s = fileFromBlob(blob, 'a.bin');
    expect(s).toMatchObject({ size: 5, name: 'a.bin', mediaType: 'text/plain' });
    expect([...(await s.read(1, 3))]).toEqual([2, 3, 4]);
    expect(fileFromBlob(new Blob([]), 'x.pdf').mediaType).toBe('application/pdf');
    await expect(s.read(3, 3)).rejects.toThrow(SottoError);
  });

  it('a memory or blob sink yields the file only once closed, and nothing after an abort', async () => {
    const m = memorySink();
    await m.write(new Uint8Array([1, 2]));
    expect(() => m.bytes()).toThrow(SottoError);
    await m.write(new Uint8Array([3]));
    await m.close();
    expect([...m.bytes()]).toEqual([1, 2, 3]);
    const b = blobSink('image/png');
    await b.write(new Uint8Array([9]));
    await b.abort();
    expect(() => b.blob()).toThrow(SottoError);
    const ok = blobSink('image/png');
    await ok.write(new Uint8Array([7, 8]));
    await ok.close();
    expect(ok.blob().type).toBe('image/png');
    expect([...new Uint8Array(await ok.blob().arrayBuffer())]).toEqual([7, 8]);
  });

  it('a file sink writes <path>.partial and renames it only on close; abort removes it', async () => {
    const path = join(dir, 'out.txt');
    const s = fileSinkAt(path);
    await s.write(new Uint8Array([104, 105]));
    expect(existsSync(`${path}.partial`)).toBe(true);
    expect(existsSync(path)).toBe(false);
    await s.close();
    expect(readFileSync(path, 'utf8')).toBe('hi');
    expect(existsSync(`${path}.partial`)).toBe(false);
    const gone = fileSinkAt(join(dir, 'never.txt'));
    await gone.write(new Uint8Array([1]));
    await gone.abort();
    expect(existsSync(join(dir, 'never.txt')) || existsSync(join(dir, 'never.txt.partial'))).toBe(false);
    const empty = fileSinkAt(join(dir, 'empty.txt'));
    await empty.close();
    expect(readFileSync(join(dir, 'empty.txt')).length).toBe(0);
  });

  it('maps tus answers to codes, saying which are worth a retry', () => {
    expect(
      [401, 404, 409, 413, 429, 500, 400].map((s) => [
        statusError(s, 'x').code,
        statusError(s, 'x').transient,
      ]),
    ).toEqual([
      ['UNAUTHENTICATED', false],
      ['FILE_NOT_FOUND', false],
      ['INTERNAL', true],
      ['FILE_TOO_LARGE', false],
      ['RATE_LIMITED', true],
      ['INTERNAL', true],
      ['INTERNAL', false],
    ]);
  });
});
