/**
 * What the file tests need: images made by the browser's canvas, a short WAV, a file of random bytes on
 * disk, files dropped or pasted through synthetic events (a DataTransfer of real `File`s, as the browser
 * builds for a person), the bytes of what the page saved, and the server's stored copy of a file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Download, Page } from 'playwright-core';

/** A file to hand to the page. */
export interface FilePayload {
  readonly name: string;
  readonly mimeType: string;
  readonly buffer: Buffer;
}

/**
 * A PNG of `width`×`height` drawn by the page's canvas: a gradient with a few shapes, or with `noise`
 * random pixels (which do not compress: about 4 bytes a pixel).
 */
export async function canvasPng(page: Page, width: number, height: number, noise = false): Promise<Buffer> {
  const base64 = await page.evaluate(
    async ({ width, height, noise }) => {
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const g = canvas.getContext('2d');
      if (g === null) throw new Error('no 2d context');
      if (noise) {
        const img = g.createImageData(width, height);
        for (let i = 0; i < img.data.length; i += 65_536) {
          crypto.getRandomValues(img.data.subarray(i, Math.min(img.data.length, i + 65_536)));
        }
        for (let i = 3; i < img.data.length; i += 4) img.data[i] = 255;
        g.putImageData(img, 0, 0);
      } else {
        const grad = g.createLinearGradient(0, 0, width, height);
        grad.addColorStop(0, '#1d4ed8');
        grad.addColorStop(1, '#f59e0b');
        g.fillStyle = grad;
        g.fillRect(0, 0, width, height);
        g.fillStyle = '#fff';
        g.beginPath();
        g.arc(width / 3, height / 2, height / 5, 0, Math.PI * 2);
        g.fill();
      }
      const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/png'));
      if (blob === null) throw new Error('no PNG');
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let s = '';
      for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
      return btoa(s);
    },
    { width, height, noise },
  );
  return Buffer.from(base64, 'base64');
}

/** A mono 16-bit WAV of `seconds` of a 440 Hz tone at 8 kHz. */
export function toneWav(seconds: number): Buffer {
  const rate = 8000;
  const samples = Math.round(rate * seconds);
  const b = Buffer.alloc(44 + samples * 2);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + samples * 2, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) {
    b.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 12_000), 44 + i * 2);
  }
  return b;
}

/** Writes `size` random bytes to `path` (in 1 MiB pieces); resolves with their SHA-256 (hex). */
export async function randomFile(path: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  for (let left = size; left > 0; left -= 1 << 20) {
    const piece = randomBytes(Math.min(left, 1 << 20));
    hash.update(piece);
    if (!out.write(piece)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await finished(out);
  return hash.digest('hex');
}

/** The SHA-256 (hex) of the file at `path`. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The SHA-256 (hex) of `bytes`. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The bytes of what the page saved (its download). */
export async function downloadedBytes(download: Download): Promise<Buffer> {
  const parts: Buffer[] = [];
  const stream = await download.createReadStream();
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/**
 * Dispatches on the first element matching `selector` the events a browser dispatches with one
 * DataTransfer of real `File`s: `drop` is a person dragging `files` onto it and dropping them (dragenter,
 * dragover, drop), `paste` a paste of copied files (e.g. a screenshot).
 */
async function dispatchFiles(
  page: Page,
  selector: string,
  files: readonly FilePayload[],
  gesture: 'drop' | 'paste',
): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, type: f.mimeType, base64: f.buffer.toString('base64') }));
  await page.evaluate(
    ({ selector, payload, gesture }) => {
      const target = document.querySelector(selector);
      if (target === null) throw new Error(`nothing matches ${selector}`);
      const dt = new DataTransfer();
      for (const f of payload) {
        const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
        dt.items.add(new File([bytes], f.name, { type: f.type }));
      }
      const init = { bubbles: true, cancelable: true };
      if (gesture === 'paste') {
        target.dispatchEvent(new ClipboardEvent('paste', { ...init, clipboardData: dt }));
        return;
      }
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(new DragEvent(type, { ...init, dataTransfer: dt }));
      }
    },
    { selector, payload, gesture },
  );
}

/** Drags `files` onto the element matching `selector` and drops them there. */
export function dropFiles(page: Page, selector: string, files: readonly FilePayload[]): Promise<void> {
  return dispatchFiles(page, selector, files, 'drop');
}

/** Pastes `files` into the element matching `selector`. */
export function pasteFiles(page: Page, selector: string, files: readonly FilePayload[]): Promise<void> {
  return dispatchFiles(page, selector, files, 'paste');
}

/** The path of the server's stored copy (ciphertext) of a file of `cipherSize` bytes, the newest one. */
export function storedCopy(serverDataDir: string, cipherSize: number): string {
  const dir = join(serverDataDir, 'files');
  const found = readdirSync(dir)
    .filter((f) => /^[0-9a-f]{32}$/.test(f))
    .map((f) => ({ path: join(dir, f), stat: statSync(join(dir, f)) }))
    .filter((f) => f.stat.size === cipherSize)
    .sort((a, b) => b.stat.mtimeMs - a.stat.mtimeMs);
  const first = found[0];
  if (first === undefined) throw new Error(`no stored file of ${cipherSize} bytes`);
  return first.path;
}

/** Collects the Content-Security-Policy violations the page reports. */
export function watchCsp(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) seen.push(m.text());
  });
  return seen;
}

/** Attaches the file at `path` with the attach button of the open conversation with `to`, and sends it. */
export async function attachAndSend(page: Page, to: string, path: string): Promise<void> {
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('button', { name: 'Attach files' }).click(),
  ]);
  await chooser.setFiles(path);
  await page.locator('form.composer[aria-busy="false"]').waitFor({ timeout: 60_000 });
  await page.getByLabel(`Message to ${to}`).press('Enter');
}
