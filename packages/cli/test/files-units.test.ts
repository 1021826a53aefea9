/**
 * In-process checks of the file pieces: names made safe for the file system (whatever the sender's SDK
 * did), numbered instead of replacing, partial files that never show up under a final name, the progress
 * bar's text and its redraws, file records, and the exit codes of file refusals.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from '@sotto/client';
import { SottoError } from '@sotto/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeFailure } from '../src/errors.js';
import { CliError, EXIT } from '../src/exit-codes.js';
import { MAX_NAME_BYTES, nameVariants, pathInside, safeFileName } from '../src/file-names.js';
import { createOutput } from '../src/output.js';
import { ProgressDisplay } from '../src/progress.js';
import { formatDuration, formatSize, progressLine } from '../src/progress-format.js';
import { renderMessage, renderUpload } from '../src/render.js';
import { partialFile } from '../src/saved-file.js';
import { entries } from './helpers/files.js';

const MiB = 1024 * 1024;
const ID = 'ab'.repeat(16);

describe('safe file names', () => {
  it('keeps a file inside its directory, visible, and not like an option', () => {
    const cases: Array<[string, string]> = [
      ['report.pdf', 'report.pdf'],
      ['..', '__'],
      ['.', '_'],
      ['../../etc/passwd', '___.._etc_passwd'],
      ['/etc/passwd', '_etc_passwd'],
      ['C:\\Windows\\evil.dll', 'C:_Windows_evil.dll'],
      ['.bashrc', '_bashrc'],
      ['-rf', '_rf'],
      ['--help.txt', '__help.txt'],
      ['a\u0000b\u001b[2Jc\u009b.txt', 'ab[2Jc.txt'],
      ['invoice\u202etxt.exe', 'invoicetxt.exe'],
      ['two\nlines\u2028.txt', 'twolines.txt'],
      ['  spaced   out  ', 'spaced out'],
      ['', 'file'],
      ['\u200b\u200e', 'file'],
    ];
    for (const [raw, safe] of cases) expect({ raw, safe: safeFileName(raw) }).toEqual({ raw, safe });
  });

  it('fits the file system: long names are cut on a character boundary, keeping the extension', () => {
    const long = safeFileName(`${'é'.repeat(300)}.jpeg`);
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(long).toMatch(/^é+\.jpeg$/);
    const noExt = safeFileName('🙂'.repeat(100));
    expect(Buffer.byteLength(noExt)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(noExt).toMatch(/^(🙂)+$/u);
    for (const v of [...nameVariants(long)].slice(0, 3))
      expect(Buffer.byteLength(v)).toBeLessThanOrEqual(255);
  });

  it('numbers a taken name before its extension', () => {
    expect([...nameVariants('a.txt')].slice(0, 3)).toEqual(['a.txt', 'a (1).txt', 'a (2).txt']);
    expect([...nameVariants('archive.tar.gz')][1]).toBe('archive.tar (1).gz');
    expect([...nameVariants('README')][1]).toBe('README (1)');
  });

  it('refuses a path that would leave the directory', () => {
    const dir = '/srv/files';
    expect(pathInside(dir, 'ok.txt')).toBe('/srv/files/ok.txt');
    for (const bad of ['../x', 'a/b', '..', '.', '/etc/passwd', '']) {
      expect(() => pathInside(dir, bad)).toThrow(CliError);
    }
  });
});

describe('partial files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sotto-cli-partial-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function download(name: string, bytes: string): Promise<string> {
    const sink = partialFile({ dir, name }, ID);
    await sink.write(new TextEncoder().encode(bytes));
    expect(entries(dir)).toContain(`.sotto-${ID}.partial`); // hidden until verified
    await sink.close();
    return sink.place();
  }

  it('gives a verified file a new name and never replaces one', async () => {
    writeFileSync(join(dir, 'photo.jpg'), 'mine');
    expect(await download('photo.jpg', 'first')).toBe(join(dir, 'photo (1).jpg'));
    expect(await download('photo.jpg', 'second')).toBe(join(dir, 'photo (2).jpg'));
    expect(await download('../photo.jpg', 'third')).toBe(join(dir, '___photo.jpg'));
    expect(readFileSync(join(dir, 'photo.jpg'), 'utf8')).toBe('mine');
    expect(readFileSync(join(dir, 'photo (2).jpg'), 'utf8')).toBe('second');
    expect(entries(dir)).toEqual(['___photo.jpg', 'photo (1).jpg', 'photo (2).jpg', 'photo.jpg']);
  });

  it('leaves nothing after an abort, and replaces a partial file a killed download left', async () => {
    writeFileSync(join(dir, `.sotto-${ID}.partial`), 'left by a killed run, longer than the new one');
    const sink = partialFile({ dir, name: 'x.bin' }, ID);
    await sink.write(new TextEncoder().encode('new'));
    await sink.abort();
    expect(entries(dir)).toEqual([]);
    expect(await download('x.bin', 'new')).toBe(join(dir, 'x.bin'));
    expect(readFileSync(join(dir, 'x.bin'), 'utf8')).toBe('new');
    expect(entries(dir)).toEqual(['x.bin']);
  });

  it('saves to an exact path only if nothing is there', async () => {
    const path = join(dir, 'chosen.txt');
    writeFileSync(path, 'mine');
    const sink = partialFile({ path }, ID);
    await sink.write(new TextEncoder().encode('theirs'));
    await sink.close();
    await expect(sink.place()).rejects.toMatchObject({ code: 'FILE_EXISTS', exitCode: EXIT.USAGE });
    expect(readFileSync(path, 'utf8')).toBe('mine');
    expect(entries(dir)).toEqual(['chosen.txt']);
  });
});

describe('progress', () => {
  it('formats sizes, durations and the bar line', () => {
    expect(formatSize(512)).toBe('512 B');
    expect(formatSize(3.5 * 1024)).toBe('3.5 KiB');
    expect(formatSize(50 * MiB)).toBe('50.0 MiB');
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('--:--');
    const line = progressLine({ label: 'big.bin', bytes: 25 * MiB, total: 50 * MiB, rate: 5 * MiB }, 100);
    expect(line).toBe('big.bin  [##########..........]  50%  25.0/50.0 MiB  5.0 MiB/s  ETA 0:05');
    const unknown = progressLine({ label: 'x', bytes: 0, total: 10, rate: undefined }, 100);
    expect(unknown).toMatch(/ 0% {2}0\.0\/0\.0 MiB {2}-- MiB\/s {2}ETA --:--$/);
    const narrow = progressLine({ label: 'a'.repeat(100), bytes: 0, total: MiB, rate: undefined }, 79);
    expect([...narrow].length).toBeLessThanOrEqual(79);
    expect(narrow).toMatch(/^a+…/);
  });

  it('redraws one status line in place on a terminal, escaped, and erases it before other output', () => {
    let err = '';
    let out = '';
    const tty = { write: (s: string) => (err += s), isTTY: true, columns: 60 };
    const o = createOutput({ write: (s: string) => (out += s) }, tty, false);
    o.status('evil\u001b[2J name');
    o.status('second');
    o.text('a line');
    expect(err).toBe('\r\u001b[Kevil\\x1b[2J name\r\u001b[Ksecond\r\u001b[K');
    expect(out).toBe('a line\n');
    const long = createOutput(
      { write: () => {} },
      { write: (s: string) => (err = s), isTTY: true, columns: 30 },
      false,
    );
    long.status('x'.repeat(100));
    expect(err).toBe(`\r\u001b[K${'x'.repeat(29)}`);
  });

  it('draws nothing without a terminal, and prints progress records with --json', () => {
    let err = '';
    let out = '';
    const human = createOutput(
      { write: (s: string) => (out += s) },
      { write: (s: string) => (err += s) },
      false,
    );
    new ProgressDisplay(human).update({ messageId: ID, direction: 'up', bytes: 1, total: 2 });
    expect(err + out).toBe('');
    const json = createOutput(
      { write: (s: string) => (out += s) },
      { write: (s: string) => (err += s) },
      true,
    );
    const p = new ProgressDisplay(json, { minBytes: 10 });
    p.update({ messageId: ID, direction: 'down', bytes: 0, total: 5 }); // below minBytes: nothing
    for (const bytes of [0, 0, 6, 12]) p.update({ messageId: ID, direction: 'down', bytes, total: 12 });
    expect(
      out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([0, 6, 12].map((bytes) => ({ type: 'progress', id: ID, direction: 'down', bytes, total: 12 })));
  });
});

describe('file records', () => {
  const file = (state: NonNullable<Message['file']>['state']): Message => ({
    id: ID,
    conversation: 'bob',
    direction: 'in',
    from: { account: 'bob', deviceId: 2 },
    text: 'see\nattached',
    sentAt: 1_700_000_000_000,
    seq: 3,
    receivedAt: 1_700_000_000_100,
    status: 'delivered',
    file: { name: 'a\u001b]0;x.pdf', mediaType: 'application/pdf', size: 1536, state },
  });

  it('shows a file message with its file and what became of it', () => {
    const saved = renderMessage(file('available'), { state: 'downloaded', savedTo: '/f/a.pdf' });
    expect(saved.json.file).toEqual({
      name: 'a\u001b]0;x.pdf',
      mediaType: 'application/pdf',
      size: 1536,
      state: 'downloaded',
      savedTo: '/f/a.pdf',
    });
    expect(saved.line).toMatch(
      /^\[\d\d:\d\d\] bob: file "a\\x1b\]0;x\.pdf" \(1\.5 KiB, application\/pdf, downloaded\): see\n {8}attached\n {8}saved to \/f\/a\.pdf$/,
    );
    const bad = renderMessage(file('available'), { state: 'failed', error: 'FILE_INTEGRITY' });
    expect(bad.json.file).toMatchObject({ state: 'failed', error: 'FILE_INTEGRITY' });
    expect(bad.json.file).not.toHaveProperty('savedTo');
    expect(bad.line).toMatch(/\n {8}not saved: .*nothing was saved \[FILE_INTEGRITY\]$/);
    expect(renderMessage(file('available'), { state: 'available' }).line).toContain(`sotto download ${ID}`);
    expect(renderMessage(file('available')).line).toMatch(
      /\n {8}not downloaded: "sotto download [0-9a-f]{32}"/,
    );
    expect(renderMessage(file('downloaded')).line).not.toContain('\n        saved');
  });

  it('says how an upload ended', () => {
    const out = (status: Message['status'], error?: string): Message => ({
      ...file('uploaded'),
      direction: 'out',
      status,
      ...(error === undefined ? {} : { error }),
    });
    expect(renderUpload(out('sent'), false).json).toEqual({
      type: 'sent',
      to: 'bob',
      id: ID,
      sentAt: 1_700_000_000_000,
      file: { name: 'a\u001b]0;x.pdf', mediaType: 'application/pdf', size: 1536 },
    });
    expect(renderUpload(out('pending'), true).json).toMatchObject({ type: 'queued', resumed: true });
    expect(renderUpload(out('failed', 'QUOTA_EXCEEDED'), true).json).toMatchObject({
      type: 'failed',
      error: 'QUOTA_EXCEEDED',
    });
  });

  it('maps file refusals and cancels to their exit codes', () => {
    expect(describeFailure(new SottoError('FILE_TOO_LARGE')).exitCode).toBe(EXIT.REFUSED);
    expect(describeFailure(new SottoError('QUOTA_EXCEEDED')).exitCode).toBe(EXIT.REFUSED);
    expect(describeFailure(new SottoError('CANCELLED')).exitCode).toBe(EXIT.INTERRUPTED);
    expect(describeFailure(new SottoError('FILE_INTEGRITY')).exitCode).toBe(EXIT.OTHER);
    expect(describeFailure(new SottoError('MESSAGE_NOT_FOUND')).exitCode).toBe(EXIT.USAGE);
  });
});
