/**
 * `npm run bench:relay` (`node --conditions=source --import tsx bench/relay/run.ts`): the relay under load
 * next to a bare `ws` forwarder, each server in its own child process, under the same load generator in
 * this process. `@sotto/*` load from source, so the benchmark measures the code in the tree (never a
 * stale dist/). Prints human lines, then one JSON object as the last line. Never part of `npm test`.
 *
 * The machine is noisy, so the two are measured in alternating rounds while both servers run: floor,
 * relay, floor, relay, … (first the idle-memory rounds, each on fresh processes, then the load rounds on
 * one pair of processes). Each figure is the median
 * over the rounds, and `cpu_vs_floor` and `mem_vs_floor` the medians of the rounds' own ratios, so a slow
 * spell of the machine weighs on both sides of a ratio alike.
 *
 * Flags: --devices N (200: N/2 sender/receiver pairs), --rounds R (7), --memory-rounds M (3), --seconds S
 * (21, measured window per server, split over the rounds), --warmup W (2, per round), --idle C (2000 idle
 * connections for the memory figure), --inflight K (32 per pair), --size B (256-byte
 * bodies), --profile DIR (write a V8 CPU profile of the relay server there; of node 0 with several).
 * Scale-out: --nodes N (1) relay processes on one store and bus, --store postgres (a fresh schema in
 * SOTTO_TEST_POSTGRES or the local test database, dropped after), --bus redis (SOTTO_TEST_REDIS or the
 * local Redis, on a fresh channel). With several nodes, connections are spread over them round-robin so
 * every message crosses nodes, and server CPU and RSS are summed over all the relay processes.
 * With any store or bus but SQLite and the in-process bus, a third server runs in the same rounds: one
 * node on SQLite and the in-process bus (floor, relay, sqlite, floor, …), and `cpu_vs_sqlite` is the
 * median of the rounds' ratios of server CPU per message (relay ÷ SQLite node). --memory-rounds 0 skips
 * the idle-memory rounds.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ChildServer,
  freePort,
  killAllChildren,
  spawnChild,
  startChildServer,
  waitForHttp,
} from '../../test/helpers/child-server.js';
import { type Deployment, openDeployment } from './deployment.js';
import { connectInspector, type InspectorSession } from './inspector.js';
import { type IdleMemory, idleMemory, type LoadResult, runLoad, type Target } from './load.js';
import { seed } from './seed.js';
import { floorTarget, sottoTarget } from './targets.js';

const flags = new Map<string, string>();
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i] ?? '';
  if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
  const eq = a.indexOf('=');
  if (eq >= 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
  else flags.set(a.slice(2), process.argv[++i] ?? '');
}
const num = (name: string, dflt: number) => {
  const v = flags.get(name);
  const n = v === undefined ? dflt : Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number`);
  return n;
};
const DEVICES = num('devices', 200);
const PAIRS = Math.max(1, Math.floor(DEVICES / 2));
const ROUNDS = Math.max(1, Math.floor(num('rounds', 7)));
const MEMORY_ROUNDS = Math.floor(num('memory-rounds', 3));
const SECONDS = num('seconds', 21);
const WARMUP = num('warmup', 2);
const IDLE = num('idle', 2000);
const IN_FLIGHT = num('inflight', 32);
const BODY = num('size', 256);
const PROFILE = flags.get('profile');
const NODES = Math.max(1, Math.floor(num('nodes', 1)));
const oneOf = <T extends string>(name: string, allowed: readonly T[]): T => {
  const v = flags.get(name) ?? allowed[0];
  const found = allowed.find((a) => a === v);
  if (found === undefined) throw new Error(`--${name} must be one of ${allowed.join(', ')}`);
  return found;
};
const STORE = oneOf('store', ['sqlite', 'postgres'] as const);
const BUS = oneOf('bus', ['memory', 'redis'] as const);
if (NODES > 1 && (STORE !== 'postgres' || BUS !== 'redis'))
  throw new Error('--nodes above 1 needs --store postgres --bus redis');
/** Also measure one SQLite node in the same rounds (for `cpu_vs_sqlite`). */
const SQLITE_BASELINE = STORE !== 'sqlite' || BUS !== 'memory';

const out = (line: string) => process.stdout.write(`${line}\n`);
const r = (x: number, d = 1) => Number(x.toFixed(d));

/** A server under test, running for the whole benchmark. */
interface Running {
  readonly target: Target;
  readonly inspectors: readonly InspectorSession[];
  /** The last lines the server processes printed (for a report when messages failed). */
  readonly logTail: () => string[];
}

/** Both servers' figures: idle memory, and the load rounds. */
interface Measured {
  /** One reading per memory round. */
  idle: IdleMemory[];
  rounds: LoadResult[];
}

/** Idle memory of one server, with a full GC through its inspectors before each reading. */
async function measureIdle(s: Running, round: number): Promise<IdleMemory> {
  const idle = await idleMemory(s.target, IDLE, async () => {
    await Promise.all(s.inspectors.map((i) => i.collectGarbage()));
  });
  out(
    `${s.target.name} memory round ${round + 1}/${MEMORY_ROUNDS}: ${IDLE} idle connections: RSS ${idle.beforeKiB} → ${idle.afterKiB} KiB after a full GC ` +
      `(${idle.afterRawKiB} KiB before it): ${r(idle.perConnKiB, 2)} KiB per connection ` +
      `(${r(idle.perConnRawKiB, 2)} KiB counting set-up garbage)`,
  );
  return idle;
}

/** One round of load on one server (a profile of the relay's first round with --profile). */
async function measureRound(s: Running, round: number): Promise<LoadResult> {
  const inspector = s.inspectors[0];
  const dir = PROFILE;
  const onWindow =
    dir === undefined || s.target.name !== 'relay' || round > 0 || inspector === undefined
      ? undefined
      : async (phase: 'open' | 'close') => {
          if (phase === 'open') return inspector.start();
          mkdirSync(dir, { recursive: true });
          const file = join(dir, `relay-${Date.now()}.cpuprofile`);
          writeFileSync(file, await inspector.stop());
          out(`relay: CPU profile of the measured window: ${file} (summarise with bench/relay/profile.ts)`);
        };
  const load = await runLoad(s.target, {
    pairs: PAIRS,
    inFlight: IN_FLIGHT,
    bodyBytes: BODY,
    warmupSeconds: WARMUP,
    seconds: SECONDS / ROUNDS,
    seqBase: round * 2 ** 24,
    ...(onWindow === undefined ? {} : { onWindow }),
  });
  out(
    `${s.target.name} round ${round + 1}/${ROUNDS}: ${load.delivered} delivered in ${r(load.seconds, 2)} s = ` +
      `${r(load.msgsPerS, 0)} msg/s, p50 ${r(load.p50Ms, 2)} ms, p99 ${r(load.p99Ms, 2)} ms, ` +
      `server CPU ${r(load.cpuUsPerMsg, 1)} µs/msg (${r(100 * load.kernelShare, 0)}% kernel; ` +
      `${r(load.cpuCores, 2)} cores; load generator ` +
      `${r(load.loadCpuCores, 2)} cores), lost ${load.lost}, errors ${JSON.stringify(load.errors)}`,
  );
  return load;
}

/** Both servers listen with the inspector on loopback (no session during the load unless profiling). */
const INSPECT = ['--inspect=127.0.0.1:0'];

/** Runs `body` with the floor server up. */
async function withFloor<T>(body: (s: Running) => Promise<T>): Promise<T> {
  const port = await freePort();
  const child = spawnChild(fileURLToPath(new URL('./floor.ts', import.meta.url)), ['--port', String(port)], {
    nodeArgs: INSPECT,
  });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/`, child);
    const inspector = await connectInspector(child.output);
    try {
      const logTail = () => child.output.join('').trim().split('\n').slice(-10);
      return await body({ target: floorTarget(port, child.pid), inspectors: [inspector], logTail });
    } finally {
      inspector.close();
    }
  } finally {
    await child.kill('SIGTERM');
  }
}

/** A seeded relay deployment whose nodes can be started (fresh processes) more than once. */
interface RelayDeployment {
  /** Runs `body` with the relay's nodes up; stops them after. */
  run<T>(body: (s: Running) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

async function openRelay(
  store: 'sqlite' | 'postgres',
  bus: 'memory' | 'redis',
  nodes: number,
  name: string,
): Promise<RelayDeployment> {
  const deployment: Deployment = await openDeployment({ store, bus });
  const seeded = await seed(await deployment.openStore(), PAIRS, IDLE);
  out(`${name}: seeded ${PAIRS * 2} pair accounts and ${seeded.idle.length} idle accounts (${IDLE} devices)`);
  return {
    run: async (body) => {
      const servers: ChildServer[] = [];
      try {
        for (let n = 0; n < nodes; n++) {
          servers.push(
            await startChildServer({
              dataDir: deployment.dataDir(n),
              nodeArgs: INSPECT,
              args: deployment.serverArgs,
            }),
          );
        }
        const inspectors = await Promise.all(servers.map((server) => connectInspector(server.output)));
        try {
          const target = {
            ...sottoTarget(
              servers.map((server) => server.wsUrl),
              servers.map((server) => server.pid),
              seeded,
            ),
            name,
          };
          const logTail = () =>
            servers.flatMap((server) => server.output.join('').trim().split('\n').slice(-10));
          return await body({ target, inspectors, logTail });
        } finally {
          for (const inspector of inspectors) inspector.close();
        }
      } finally {
        await Promise.all(servers.map((server) => server.kill('SIGTERM')));
      }
    },
    close: () => deployment.close(),
  };
}

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

try {
  out(
    `bench:relay: ${NODES} node(s) on ${STORE} and the ${BUS} bus; ` +
      `${DEVICES} devices (${PAIRS} pairs), ${IN_FLIGHT} in flight per pair, ${BODY}-byte bodies, ` +
      `${ROUNDS} rounds per server of ${WARMUP} s warm-up + ${r(SECONDS / ROUNDS, 2)} s measured, alternating; ` +
      `${IDLE} idle connections; CPU and RSS from /proc`,
  );
  const f: Measured = { idle: [], rounds: [] };
  const s: Measured = { idle: [], rounds: [] };
  const q: Measured = { idle: [], rounds: [] };
  let relayLog: () => string[] = () => [];
  const relay = await openRelay(STORE, BUS, NODES, 'relay');
  const baseline = SQLITE_BASELINE ? await openRelay('sqlite', 'memory', 1, 'sqlite') : undefined;
  try {
    // Memory: fresh processes for every reading (a process that held connections before reuses that
    // memory, and would look cheaper).
    for (let round = 0; round < MEMORY_ROUNDS; round++) {
      await withFloor(async (floor) => {
        f.idle.push(await measureIdle(floor, round));
      });
      await relay.run(async (server) => {
        s.idle.push(await measureIdle(server, round));
      });
    }
    // Load: both servers up, rounds alternating.
    const withBaseline = <T>(body: (b: Running | undefined) => Promise<T>): Promise<T> =>
      baseline === undefined ? body(undefined) : baseline.run(body);
    await withFloor((floor) =>
      relay.run((server) =>
        withBaseline(async (sqlite) => {
          relayLog = server.logTail;
          for (let round = 0; round < ROUNDS; round++) {
            f.rounds.push(await measureRound(floor, round));
            s.rounds.push(await measureRound(server, round));
            if (sqlite !== undefined) q.rounds.push(await measureRound(sqlite, round));
          }
        }),
      ),
    );
  } finally {
    await relay.close();
    await baseline?.close();
  }
  const of = (m: Measured, pick: (l: LoadResult) => number) => median(m.rounds.map(pick));
  const mem = (m: Measured, pick: (i: IdleMemory) => number) => median(m.idle.map(pick));
  const memRatios = s.idle.map((idle, i) => idle.perConnKiB / (f.idle[i]?.perConnKiB ?? Number.NaN));
  const ratios = s.rounds.map((load, i) => load.cpuUsPerMsg / (f.rounds[i]?.cpuUsPerMsg ?? Number.NaN));
  const sqliteRatios = s.rounds
    .slice(0, q.rounds.length)
    .map((load, i) => load.cpuUsPerMsg / (q.rounds[i]?.cpuUsPerMsg ?? Number.NaN));
  const lost = s.rounds.reduce((n, l) => n + l.lost, 0);
  const errors: Record<string, number> = {};
  for (const l of s.rounds)
    for (const [code, n] of Object.entries(l.errors)) errors[code] = (errors[code] ?? 0) + n;
  if (lost > 0 || Object.keys(errors).length > 0) {
    out('relay: messages failed; the servers said (last lines):');
    for (const line of relayLog()) out(`  ${line.slice(0, 300)}`);
  }
  const result = {
    ok: lost === 0 && Object.keys(errors).length === 0,
    nodes: NODES,
    store: STORE,
    bus: BUS,
    devices: PAIRS * 2,
    rounds: ROUNDS,
    seconds: r(
      s.rounds.reduce((t, l) => t + l.seconds, 0),
      2,
    ),
    body_bytes: BODY,
    in_flight_per_pair: IN_FLIGHT,
    msgs_per_s: r(
      of(s, (l) => l.msgsPerS),
      0,
    ),
    p50_ms: r(
      of(s, (l) => l.p50Ms),
      2,
    ),
    p99_ms: r(
      of(s, (l) => l.p99Ms),
      2,
    ),
    server_cpu_us_per_msg: r(
      of(s, (l) => l.cpuUsPerMsg),
      1,
    ),
    idle_conn_kib: r(
      mem(s, (i) => i.perConnKiB),
      2,
    ),
    idle_conn_kib_raw: r(
      mem(s, (i) => i.perConnRawKiB),
      2,
    ),
    idle_connections: IDLE,
    lost,
    errors,
    floor_msgs_per_s: r(
      of(f, (l) => l.msgsPerS),
      0,
    ),
    floor_p50_ms: r(
      of(f, (l) => l.p50Ms),
      2,
    ),
    floor_p99_ms: r(
      of(f, (l) => l.p99Ms),
      2,
    ),
    floor_cpu_us_per_msg: r(
      of(f, (l) => l.cpuUsPerMsg),
      1,
    ),
    floor_idle_conn_kib: r(
      mem(f, (i) => i.perConnKiB),
      2,
    ),
    floor_idle_conn_kib_raw: r(
      mem(f, (i) => i.perConnRawKiB),
      2,
    ),
    cpu_vs_floor: r(median(ratios), 2),
    cpu_vs_floor_rounds: ratios.map((x) => r(x, 2)),
    mem_vs_floor: r(median(memRatios), 2),
    mem_vs_floor_rounds: memRatios.map((x) => r(x, 2)),
    mem_vs_floor_raw: r(mem(s, (i) => i.perConnRawKiB) / mem(f, (i) => i.perConnRawKiB), 2),
    ...(q.rounds.length === 0
      ? {}
      : {
          sqlite_msgs_per_s: r(
            of(q, (l) => l.msgsPerS),
            0,
          ),
          sqlite_p99_ms: r(
            of(q, (l) => l.p99Ms),
            2,
          ),
          sqlite_cpu_us_per_msg: r(
            of(q, (l) => l.cpuUsPerMsg),
            1,
          ),
          cpu_vs_sqlite: r(median(sqliteRatios), 2),
          cpu_vs_sqlite_rounds: sqliteRatios.map((x) => r(x, 2)),
        }),
  };
  out(
    `cpu_vs_floor ${result.cpu_vs_floor} (target ≤ 3; rounds ${result.cpu_vs_floor_rounds.join(', ')}), ` +
      `mem_vs_floor ${result.mem_vs_floor} (target ≤ 2; rounds ${result.mem_vs_floor_rounds.join(', ')})` +
      (result.cpu_vs_sqlite === undefined
        ? ''
        : `, cpu_vs_sqlite ${result.cpu_vs_sqlite} (target ≤ ${NODES > 1 ? 3 : 2}; rounds ${result.cpu_vs_sqlite_rounds?.join(', ')})`) +
      (PROFILE === undefined ? '' : ' (a profiled run: the profiler slows the relay server)'),
  );
  out(JSON.stringify(result));
} finally {
  await killAllChildren();
}
