// Prints the size of the JavaScript the first page load fetches, as the server sends it (the build's
// Brotli copies, `.br`; gzip, `.gz`, for browsers without Brotli): the entry scripts and the chunks they
// import statically (index.html's <script type="module"> and <link rel="modulepreload">). Lazy chunks
// (the zxcvbn dictionaries, OPAQUE, the QR code) are listed separately. `npm run bench:web` measures the
// same in Chromium, on the wire.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const first = new Set([...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.js)"/g)].map((m) => m[1]));
const size = (file, suffix) => {
  const path = join(dist, file + suffix);
  return existsSync(path) ? statSync(path).size : statSync(join(dist, file)).size;
};
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
let br = 0;
let gz = 0;
for (const file of first) {
  br += size(file, '.br');
  gz += size(file, '.gz');
}
const lazy = readdirSync(join(dist, 'assets'))
  .filter((f) => f.endsWith('.js') && !first.has(`assets/${f}`))
  .map((f) => [f, size(`assets/${f}`, '.br')])
  .sort((a, b) => b[1] - a[1]);
process.stdout.write(
  `first-load JavaScript: ${kib(br)} brotli, ${kib(gz)} gzip (${first.size} file${first.size === 1 ? '' : 's'}; budget 300 KiB)\n`,
);
for (const [f, n] of lazy) process.stdout.write(`  lazy ${f}: ${kib(n)} brotli\n`);
if (gz > 300 * 1024) {
  console.error('first-load JavaScript is over the 300 KiB budget');
  process.exit(1);
}
