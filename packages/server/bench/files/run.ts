/**
 * `npm run bench:files-raw -w @sotto/server -- [--mib 100] [--rounds 3] [--files s3]`: the raw HTTP floor of
 * file transfer through the server. The real CLI runs in a child process (file store in a temp data
 * directory, or `--files s3` for an s3rver bucket in this process); this process authorizes over the
 * WebSocket, then uploads `--mib` MiB of random bytes in one tus PATCH and downloads them with one GET,
 * streaming from and to memory with node:http (no encryption: the floor the SDK's `bench:files` compares
 * its end-to-end figures against). Prints one JSON line last: median MiB/s and bytes/s of each direction,
 * and the server's CPU time per MiB.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROUTES } from '@sotto/protocol';
import { TestAccount } from '../../test/helpers/account.js';
import { killAllChildren, startChildServer } from '../../test/helpers/child-server.js';
import { TestClient } from '../../test/helpers/client.js';
import { authorize, ciphertext, createUpload } from '../../test/helpers/files.js';
import { startTestS3, type TestS3 } from '../../test/helpers/s3.js';
import { cpuTimes } from '../relay/proc.js';

const MiB = 1024 * 1024;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** One PATCH of all of `bytes`; resolves with the seconds from the first byte sent to the answer. */
function timedPatch(base: string, token: string, id: string, bytes: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(`${base}${ROUTES.files}/${id}`, {
      method: 'PATCH',
      headers: {
        'tus-resumable': '1.0.0',
        authorization: `Bearer ${token}`,
        'content-type': 'application/offset+octet-stream',
        'upload-offset': '0',
        'content-length': String(bytes.length),
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 204
          ? resolve((performance.now() - started) / 1000)
          : reject(new Error(`PATCH ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end(bytes);
  });
}

/** One GET of the file; resolves with the seconds to the last byte, after checking the length. */
function timedGet(base: string, id: string, length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    request(`${base}${ROUTES.files}/${id}`, (res) => {
      let n = 0;
      res.on('data', (d: Buffer) => {
        n += d.length;
      });
      res.on('end', () =>
        res.statusCode === 200 && n === length
          ? resolve((performance.now() - started) / 1000)
          : reject(new Error(`GET ${res.statusCode}, ${n} bytes`)),
      );
    })
      .on('error', reject)
      .end();
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function main(): Promise<void> {
  const mib = Number(option('mib', '100'));
  const rounds = Number(option('rounds', '3'));
  const store = option('files', 'file');
  const dataDir = mkdtempSync(join(tmpdir(), 'sotto-bench-files-'));
  let s3: TestS3 | undefined;
  const args: string[] = [
    '--limit',
    `maxFileBytes=${mib * MiB}`,
    '--limit',
    `fileQuotaBytesPerAccount=${(rounds + 1) * mib * MiB}`,
  ];
  const env: Record<string, string> = {};
  if (store === 's3') {
    s3 = await startTestS3(mkdtempSync(join(tmpdir(), 'sotto-bench-s3-')));
    const loc = s3.location;
    args.push('--files', `s3://${loc.bucket}?endpoint=${loc.endpoint}&region=${loc.region}`);
    env.SOTTO_S3_ACCESS_KEY = loc.credentials?.accessKeyId ?? '';
    env.SOTTO_S3_SECRET_KEY = loc.credentials?.secretAccessKey ?? '';
  }
  const server = await startChildServer({ dataDir, args, env });
  try {
    const account = await TestAccount.create('bench');
    if ((await account.register(server.url)) !== 201) throw new Error('register failed');
    const ws = await TestClient.connect(server.wsUrl, account);
    const bytes = ciphertext(mib * MiB);
    const up: number[] = [];
    const down: number[] = [];
    const cpuBefore = cpuTimes(server.pid);
    for (let r = 0; r < rounds; r++) {
      const { token } = await authorize(ws, bytes.length);
      const id = await createUpload(server.url, token, bytes.length);
      up.push(await timedPatch(server.url, token, id, bytes));
      down.push(await timedGet(server.url, id, bytes.length));
      await ws.request({ t: 'files.delete', fileId: id });
    }
    const cpuAfter = cpuTimes(server.pid);
    await ws.close();
    const cpuUs = cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system;
    const upS = median(up);
    const downS = median(down);
    const result = {
      bench: 'files-raw',
      store,
      mib,
      rounds,
      upload_mib_per_s: Number((mib / upS).toFixed(1)),
      download_mib_per_s: Number((mib / downS).toFixed(1)),
      upload_bytes_per_s: Math.round((mib * MiB) / upS),
      download_bytes_per_s: Math.round((mib * MiB) / downS),
      server_cpu_ms_per_mib: Number((cpuUs / 1000 / (2 * rounds * mib)).toFixed(2)),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await server.kill('SIGTERM');
    await killAllChildren();
    await s3?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
