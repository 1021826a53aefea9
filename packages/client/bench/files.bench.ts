/**
 * `npm run bench:files`: one 100 MiB file end to end through the SDK and the real server on this machine —
 * upload (`sendFile` from disk: encryption, SHA-256, tus upload, the file message announced) and download
 * (`downloadFile` to disk: verification, decryption, the file written and synced) — against the floor
 * measured in the same run: a plain HTTP PUT of the same file from disk to a bare node:http server that
 * writes it to disk, and a plain GET of it back to disk. The servers run in a process of their own.
 * Rounds alternate which goes first; rates are medians in MiB/s of plaintext, and each `*_vs_floor` is
 * the median of the rounds' own ratios (SDK and floor measured back to back, so load from elsewhere on
 * the machine hits both alike). Human lines first, one JSON object last.
 *
 * Run: node --conditions source --import tsx packages/client/bench/files.bench.ts [rounds] [MiB]
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createNodeProvider } from '@sotto/crypto';
import {
  createClient,
  fileFromPath,
  fileSinkAt,
  MemoryStore,
  type Message,
  type SottoClient,
} from '../src/index.js';

const ROUNDS = Number(process.argv[2] ?? 7);
const MIB = Number(process.argv[3] ?? 100);
const SIZE = MIB * 1024 * 1024;
const STRONG = 'correct horse battery staple 42!';
const provider = createNodeProvider();
const dir = mkdtempSync(join(tmpdir(), 'sotto-bench-files-'));

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Starts the servers' process; resolves with their URLs. */
async function servers(): Promise<{ sotto: string; floor: string; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      fileURLToPath(new URL('./files-servers.ts', import.meta.url)),
      dir,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const urls = await new Promise<{ sotto: string; floor: string }>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const nl = buffered.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(buffered.slice(0, nl)));
    });
    child.on('exit', () => reject(new Error('the servers did not start')));
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return {
    ...urls,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Seconds `task` takes. */
async function timed(task: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await task();
  return (performance.now() - start) / 1000;
}

/** The floor upload: PUT the file from disk. */
function floorUpload(url: string, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/file`,
      { method: 'PUT', headers: { 'content-length': statSync(path).size } },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 204 ? resolve() : reject(new Error(`floor PUT ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    createReadStream(path).pipe(req);
  });
}

/** The floor download: GET the file to disk, synced. */
async function floorDownload(url: string, path: string): Promise<void> {
  const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) =>
    request(`${url}/file`, resolve).on('error', reject).end(),
  );
  await pipeline(res, createWriteStream(path));
  const handle = await open(path, 'r');
  await handle.sync().finally(() => handle.close());
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const round2 = (x: number) => Number(x.toFixed(2));

async function main(): Promise<void> {
  const source = join(dir, 'source.bin');
  const plain = new Uint8Array(SIZE);
  for (let at = 0; at < SIZE; at += 65_536) crypto.getRandomValues(plain.subarray(at, at + 65_536));
  writeFileSync(source, plain);
  const srv = await servers();
  const make = () =>
    createClient({
      server: srv.sotto,
      store: new MemoryStore(),
      provider,
      reconnect: { minDelayMs: 50, maxDelayMs: 500 },
    });
  const alice = make();
  const bob = make();
  const clients: SottoClient[] = [alice, bob];
  try {
    await alice.register({ name: 'alice', password: STRONG });
    await bob.register({ name: 'bob', password: STRONG });
    const asked = new Promise((r) => bob.once('contact-request', r));
    await alice.requestContact('bob');
    await asked;
    const accepted = new Promise((r) => alice.once('contact-event', r));
    await bob.acceptContact('alice');
    await accepted;

    const samples = {
      sdkUp: [] as number[],
      sdkDown: [] as number[],
      floorUp: [] as number[],
      floorDown: [] as number[],
    };
    const target = join(dir, 'received.bin');
    const sdk = async () => {
      const arrived = new Promise<Message>((resolve) => {
        const off = bob.on('message', (m) => {
          if (m.file !== undefined) {
            off();
            resolve(m);
          }
        });
      });
      samples.sdkUp.push(await timed(async () => alice.sendFile('bob', await fileFromPath(source))));
      const m = await arrived;
      samples.sdkDown.push(await timed(() => bob.downloadFile(m.id, fileSinkAt(target))));
      if (statSync(target).size !== SIZE) throw new Error('the download has the wrong size');
      rmSync(target);
    };
    const floor = async () => {
      samples.floorUp.push(await timed(() => floorUpload(srv.floor, source)));
      samples.floorDown.push(await timed(() => floorDownload(srv.floor, target)));
      rmSync(target);
    };
    await sdk(); // warm-up round, not counted
    await floor();
    for (const list of Object.values(samples)) list.length = 0;
    for (let i = 0; i < ROUNDS; i++) {
      if (i % 2 === 0) {
        await sdk();
        await floor();
      } else {
        await floor();
        await sdk();
      }
      const rate = (s: number[]) => (MIB / (s.at(-1) ?? 1)).toFixed(0);
      say(
        `round ${i + 1}: upload ${rate(samples.sdkUp)} MiB/s (floor ${rate(samples.floorUp)}), ` +
          `download ${rate(samples.sdkDown)} MiB/s (floor ${rate(samples.floorDown)})`,
      );
    }
    const mibps = (s: number[]) => MIB / median(s);
    /** The median of the rounds' ratios SDK rate / floor rate (= floor seconds / SDK seconds). */
    const paired = (sdkSeconds: number[], floorSeconds: number[]) =>
      median(sdkSeconds.map((t, i) => (floorSeconds[i] ?? 0) / t));
    process.stdout.write(
      `${JSON.stringify({
        file_mib: MIB,
        rounds: ROUNDS,
        upload_mib_per_s: round2(mibps(samples.sdkUp)),
        upload_floor_mib_per_s: round2(mibps(samples.floorUp)),
        upload_vs_floor: round2(paired(samples.sdkUp, samples.floorUp)),
        download_mib_per_s: round2(mibps(samples.sdkDown)),
        download_floor_mib_per_s: round2(mibps(samples.floorDown)),
        download_vs_floor: round2(paired(samples.sdkDown, samples.floorDown)),
        target_vs_floor: 0.5,
      })}\n`,
    );
  } finally {
    for (const c of clients) await c.close();
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
