// Prints the gzip size of the JavaScript the first page load fetches: the entry scripts and the chunks
// they import statically (index.html's <script type="module"> and <link rel="modulepreload">). Lazy
// chunks (the zxcvbn dictionaries, the QR code) are listed separately.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const first = new Set([...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.js)"/g)].map((m) => m[1]));
const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
let total = 0;
for (const file of first) total += gz(file);
const lazy = readdirSync(join(dist, 'assets'))
  .filter((f) => f.endsWith('.js') && !first.has(`assets/${f}`))
  .map((f) => [f, gz(`assets/${f}`)])
  .sort((a, b) => b[1] - a[1]);
process.stdout.write(
  `first-load JavaScript: ${kib(total)} gzip (${first.size} file${first.size === 1 ? '' : 's'}; budget 300 KiB)\n`,
);
for (const [f, n] of lazy) process.stdout.write(`  lazy ${f}: ${kib(n)} gzip\n`);
if (total > 300 * 1024) {
  console.error('first-load JavaScript is over the 300 KiB budget');
  process.exit(1);
}
