/**
 * A Vite plugin that writes a Brotli (`.br`, quality 11) and a gzip (`.gz`, level 9) copy next to every
 * compressible file of the build, once the bundle is written. The server's static handler
 * (packages/server/src/web-static.ts) sends the copy the browser accepts, so nothing is compressed per
 * request. A copy that would not be smaller than the file is not written.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin } from 'vite';

/** Extensions worth compressing (text and WebAssembly; images and fonts are compressed already). */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.wasm', '.txt', '.map']);
/** Below this the headers cost more than compression saves. */
const MIN_BYTES = 256;

const br = promisify(brotliCompress);
const gz = promisify(gzip);

async function* files(dir: string): AsyncGenerator<string> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) yield* files(path);
    else if (e.isFile()) yield path;
  }
}

async function compressFile(path: string): Promise<void> {
  const body = await readFile(path);
  if (body.length < MIN_BYTES) return;
  const [b, g] = await Promise.all([
    br(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
    gz(body, { level: 9 }),
  ]);
  if (b.length < body.length) await writeFile(`${path}.br`, b);
  if (g.length < body.length) await writeFile(`${path}.gz`, g);
}

/** The plugin; `outDir` is read from the resolved config. */
export function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'sotto-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    async closeBundle() {
      const all: string[] = [];
      for await (const f of files(outDir)) if (COMPRESSIBLE.has(extname(f).toLowerCase())) all.push(f);
      await Promise.all(all.map(compressFile));
    },
  };
}
