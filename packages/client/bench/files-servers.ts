/**
 * The servers of `npm run bench:files`, in a process of their own (as on a real machine, the server does
 * not share the client's core): the Sotto server with its data in DIR, and the floor, a bare node:http
 * server that writes a PUT body to a file in DIR/floor (fsync at the end, as the Sotto file store makes
 * what it acknowledged durable) and sends it back on GET. Prints one JSON line with both URLs.
 *
 * Run: node --conditions source --import tsx packages/client/bench/files-servers.ts DIR
 */
import { createReadStream, createWriteStream, mkdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DEFAULT_SERVER_LIMITS, defaultConfig, startServer } from '@sotto/server';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: files-servers DIR');
const floorDir = join(dir, 'floor');
mkdirSync(floorDir, { recursive: true });

const sotto = await startServer(
  defaultConfig({
    port: 0,
    host: '127.0.0.1',
    dataDir: join(dir, 'sotto'),
    logLevel: 'warn',
    limits: { ...DEFAULT_SERVER_LIMITS, loginAttemptsPerIpPerMinute: 1000 },
  }),
  { logDestination: { write: () => undefined } },
);

const floor = createServer(async (req, res) => {
  const path = join(floorDir, 'file');
  try {
    if (req.method === 'PUT') {
      await pipeline(req, createWriteStream(path));
      const handle = await open(path, 'r');
      await handle.sync().finally(() => handle.close());
      res.writeHead(204).end();
    } else if (req.method === 'GET') {
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': statSync(path).size,
      });
      await pipeline(createReadStream(path), res);
    } else res.writeHead(405).end();
  } catch {
    if (!res.headersSent) res.writeHead(500);
    res.end();
  }
});
await new Promise<void>((resolve) => floor.listen(0, '127.0.0.1', resolve));
const { port } = floor.address() as AddressInfo;
process.stdout.write(`${JSON.stringify({ sotto: sotto.url, floor: `http://127.0.0.1:${port}` })}\n`);
process.on('SIGTERM', () => {
  floor.close();
  void sotto.close(500).then(() => process.exit(0));
});
