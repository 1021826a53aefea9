/**
 * The load generator, the same for the relay and for the floor: a closed loop per sender/receiver pair
 * (at most `inFlight` messages between send and receipt), measured over a window after a warm-up, and
 * a count of idle connections for the memory figure. A target adapts it to one server.
 */
import type { WebSocket } from 'ws';
import { closeSocket } from './client.js';
import { cpuTimes, rssKiB } from './proc.js';

/** One pair's connections, opened by a target. */
export interface PairLink {
  /** Sends message `seq` with `body` from the pair's sender. */
  send(seq: number, body: Uint8Array): void;
  readonly sockets: readonly WebSocket[];
}

/** A server under load: the relay or the floor. */
export interface Target {
  readonly name: string;
  /** The server processes' ids (for /proc): one per node; CPU and memory are summed over them. */
  readonly pids: readonly number[];
  /** Opens pair `i`; the receiver calls `delivered(seq)` per message, the sender `failed(code)` per error. */
  openPair(i: number, delivered: (seq: number) => void, failed: (code: string) => void): Promise<PairLink>;
  /** Opens idle connection `i` (authenticated, for the relay). */
  openIdle(i: number): Promise<WebSocket>;
}

/** What {@link runLoad} measured over its window. */
export interface LoadResult {
  readonly delivered: number;
  readonly seconds: number;
  readonly msgsPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuUsPerMsg: number;
  /** The share of that CPU spent in the kernel (system time: socket writes, fsync). */
  readonly kernelShare: number;
  /** Server CPU over the window as a share of one core. */
  readonly cpuCores: number;
  /** The load generator's own CPU over the window, in cores (near 1: it may be the bottleneck). */
  readonly loadCpuCores: number;
  /** Sent but never received by the end (must be 0). */
  readonly lost: number;
  /** Error frames the senders received, by code. */
  readonly errors: Record<string, number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: Float64Array, q: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);

/** Opens `n` connections with `open`, `parallel` at a time. */
async function openMany<T>(n: number, open: (i: number) => Promise<T>, parallel = 50): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += parallel) {
    out.push(
      ...(await Promise.all(Array.from({ length: Math.min(parallel, n - i) }, (_, k) => open(i + k)))),
    );
  }
  return out;
}

/** User and system CPU of all `pids` together, in microseconds. */
function totalCpu(pids: readonly number[]): { user: number; system: number } {
  let user = 0;
  let system = 0;
  for (const pid of pids) {
    const t = cpuTimes(pid);
    user += t.user;
    system += t.system;
  }
  return { user, system };
}

/** The median of three samples 200 ms apart of the RSS summed over `pids` (RSS moves with GC). */
async function steadyRss(pids: readonly number[]): Promise<number> {
  const s: number[] = [];
  for (let i = 0; i < 3; i++) {
    if (i > 0) await sleep(200);
    s.push(pids.reduce((sum, pid) => sum + rssKiB(pid), 0));
  }
  s.sort((a, b) => a - b);
  return s[1] ?? 0;
}

/** What {@link idleMemory} measured, in KiB. */
export interface IdleMemory {
  /** RSS growth per connection, both readings taken right after a full GC of the server. */
  readonly perConnKiB: number;
  /** RSS growth per connection without forcing a GC after opening them (includes set-up garbage). */
  readonly perConnRawKiB: number;
  readonly beforeKiB: number;
  readonly afterKiB: number;
  readonly afterRawKiB: number;
}

/**
 * Server RSS growth per idle connection: a full GC, RSS before; `n` connections opened (authenticated
 * for the relay) and left idle for 2 s; RSS as it is, then again after a full GC. The connections are
 * closed again. The GC'd figure is memory the server holds per connection; the raw one also counts the
 * garbage that opening them left behind.
 */
export async function idleMemory(
  target: Target,
  n: number,
  collectGarbage: () => Promise<void>,
): Promise<IdleMemory> {
  // Two full GCs a moment apart, so V8 has handed back what it will before either reading.
  const settle = async () => {
    await collectGarbage();
    await sleep(500);
    await collectGarbage();
    await sleep(500);
  };
  await settle();
  const beforeKiB = await steadyRss(target.pids);
  const sockets = await openMany(n, (i) => target.openIdle(i));
  await sleep(2_000);
  const afterRawKiB = await steadyRss(target.pids);
  await settle();
  const afterKiB = await steadyRss(target.pids);
  await Promise.all(sockets.map(closeSocket));
  return {
    perConnKiB: (afterKiB - beforeKiB) / n,
    perConnRawKiB: (afterRawKiB - beforeKiB) / n,
    beforeKiB,
    afterKiB,
    afterRawKiB,
  };
}

/**
 * Runs `pairs` closed loops of `bodyBytes`-byte messages with at most `inFlight` per pair; measures
 * throughput, latency (send → receipt) and server CPU per delivered message over `seconds` after
 * `warmupSeconds`, then stops sending and waits for what is still in flight.
 */
export async function runLoad(
  target: Target,
  options: {
    pairs: number;
    inFlight: number;
    bodyBytes: number;
    warmupSeconds: number;
    seconds: number;
    /** Called as the measured window opens and closes (e.g. to profile exactly that window). */
    onWindow?: (phase: 'open' | 'close') => Promise<void>;
    /**
     * The first message number of every pair (default 0). A later run on the same accounts starts above
     * the earlier ones, so a message left over from them (delivered again, not yet acknowledged) is told
     * apart and not counted.
     */
    seqBase?: number;
  },
): Promise<LoadResult> {
  const { pairs, inFlight, bodyBytes } = options;
  const seqBase = options.seqBase ?? 0;
  const ring = 1 << Math.ceil(Math.log2(inFlight * 2));
  const sentAt = Array.from({ length: pairs }, () => new Float64Array(ring));
  const nextSeq = new Uint32Array(pairs).fill(seqBase);
  const outstanding = new Uint32Array(pairs);
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let delivered = 0;
  let sent = 0;
  let running = true;
  let measuring = false;
  let idle: (() => void) | undefined;
  const links: PairLink[] = [];

  const pump = (i: number) => {
    const link = links[i];
    if (link === undefined) return;
    while (running && (outstanding[i] ?? 0) < inFlight) {
      const seq = nextSeq[i] ?? 0;
      nextSeq[i] = seq + 1;
      const body = new Uint8Array(bodyBytes);
      new DataView(body.buffer).setUint32(0, seq);
      (sentAt[i] as Float64Array)[seq % ring] = performance.now();
      outstanding[i] = (outstanding[i] ?? 0) + 1;
      sent++;
      link.send(seq, body);
    }
  };

  for (let i = 0; i < pairs; i++) {
    links.push(
      await target.openPair(
        i,
        (seq) => {
          if (seq < seqBase) return;
          const t = (sentAt[i] as Float64Array)[seq % ring] ?? 0;
          if (measuring) latencies.push(performance.now() - t);
          delivered++;
          outstanding[i] = (outstanding[i] ?? 1) - 1;
          if (running) pump(i);
          else if (delivered === sent) idle?.();
        },
        (code) => {
          errors[code] = (errors[code] ?? 0) + 1;
        },
      ),
    );
  }

  for (let i = 0; i < pairs; i++) pump(i);
  await sleep(options.warmupSeconds * 1_000);
  await options.onWindow?.('open');
  const t0 = performance.now();
  const cpu0 = totalCpu(target.pids);
  const own0 = process.cpuUsage();
  const d0 = delivered;
  measuring = true;
  await sleep(options.seconds * 1_000);
  const cpu1 = totalCpu(target.pids);
  const own = process.cpuUsage(own0);
  const d1 = delivered;
  const t1 = performance.now();
  measuring = false;
  await options.onWindow?.('close');
  running = false;
  if (delivered < sent) {
    await Promise.race([new Promise<void>((r) => (idle = r)), sleep(15_000)]);
  }
  // Let the receivers' last acknowledgements leave before their sockets close.
  await sleep(200);
  await Promise.all(links.flatMap((l) => l.sockets.map(closeSocket)));

  const seconds = (t1 - t0) / 1_000;
  const n = d1 - d0;
  const sorted = Float64Array.from(latencies).sort();
  const cpuUs = cpu1.user + cpu1.system - cpu0.user - cpu0.system;
  return {
    delivered: n,
    seconds,
    msgsPerS: n / seconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    cpuUsPerMsg: cpuUs / Math.max(1, n),
    kernelShare: cpuUs === 0 ? 0 : (cpu1.system - cpu0.system) / cpuUs,
    cpuCores: cpuUs / 1e6 / seconds,
    loadCpuCores: (own.user + own.system) / 1e6 / seconds,
    lost: sent - delivered,
    errors,
  };
}
