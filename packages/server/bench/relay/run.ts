/**
 * `npm run bench:relay` (`node --conditions=source --import tsx bench/relay/run.ts`): the relay under load
 * next to a bare `ws` forwarder, each server in its own child process, under the same load generator in
 * this process. `@sotto/*` load from source, so the benchmark measures the code in the tree (never a
 * stale dist/). Prints human lines, then one JSON object as the last line. Never part of `npm test`.
 *
 * Flags: --devices N (200: N/2 sender/receiver pairs), --seconds S (10, measured window), --warmup W (2),
 * --idle C (2000 idle connections for the memory figure), --inflight K (32 per pair), --size B (256-byte
 * bodies), --profile DIR (write a V8 CPU profile of the relay server there; of node 0 with several).
 * Scale-out: --nodes N (1) relay processes on one store and bus, --store postgres (a fresh schema in
 * SOTTO_TEST_POSTGRES or the local test database, dropped after), --bus redis (SOTTO_TEST_REDIS or the
 * local Redis, on a fresh channel). With several nodes, connections are spread over them round-robin so
 * every message crosses nodes, and server CPU and RSS are summed over all the relay processes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
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
const SECONDS = num('seconds', 10);
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

const out = (line: string) => process.stdout.write(`${line}\n`);
const r = (x: number, d = 1) => Number(x.toFixed(d));

/** Idle memory, then the load, on one target whose processes are inspected through `inspectors`. */
async function measure(
  target: Target,
  inspectors: readonly InspectorSession[],
): Promise<{ load: LoadResult; idle: IdleMemory }> {
  const inspector = inspectors[0];
  if (inspector === undefined) throw new Error('no inspector');
  const idle = await idleMemory(target, IDLE, async () => {
    await Promise.all(inspectors.map((i) => i.collectGarbage()));
  });
  out(
    `${target.name}: ${IDLE} idle connections: RSS ${idle.beforeKiB} → ${idle.afterKiB} KiB after a full GC ` +
      `(${idle.afterRawKiB} KiB before it): ${r(idle.perConnKiB, 2)} KiB per connection ` +
      `(${r(idle.perConnRawKiB, 2)} KiB counting set-up garbage)`,
  );
  const dir = PROFILE;
  const onWindow =
    dir === undefined || target.name !== 'relay'
      ? undefined
      : async (phase: 'open' | 'close') => {
          if (phase === 'open') return inspector.start();
          mkdirSync(dir, { recursive: true });
          const file = join(dir, `relay-${Date.now()}.cpuprofile`);
          writeFileSync(file, await inspector.stop());
          out(`relay: CPU profile of the measured window: ${file} (summarise with bench/relay/profile.ts)`);
        };
  const load = await runLoad(target, {
    pairs: PAIRS,
    inFlight: IN_FLIGHT,
    bodyBytes: BODY,
    warmupSeconds: WARMUP,
    seconds: SECONDS,
    ...(onWindow === undefined ? {} : { onWindow }),
  });
  out(
    `${target.name}: ${PAIRS} pairs × ${IN_FLIGHT} in flight, ${BODY}-byte bodies: ${load.delivered} delivered in ` +
      `${r(load.seconds, 2)} s = ${r(load.msgsPerS, 0)} msg/s, p50 ${r(load.p50Ms, 2)} ms, p99 ${r(load.p99Ms, 2)} ms, ` +
      `server CPU ${r(load.cpuUsPerMsg, 1)} µs/msg (${r(100 * load.kernelShare, 0)}% kernel; ` +
      `${r(load.cpuCores, 2)} cores; load generator ` +
      `${r(load.loadCpuCores, 2)} cores), lost ${load.lost}, errors ${JSON.stringify(load.errors)}`,
  );
  return { load, idle };
}

/** Both servers run with the inspector listening on loopback (no session during the load unless profiling). */
const INSPECT = ['--inspect=127.0.0.1:0'];

async function floor() {
  const port = await freePort();
  const child = spawnChild(fileURLToPath(new URL('./floor.ts', import.meta.url)), ['--port', String(port)], {
    nodeArgs: INSPECT,
  });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/`, child);
    const inspector = await connectInspector(child.output);
    try {
      return await measure(floorTarget(port, child.pid), [inspector]);
    } finally {
      inspector.close();
    }
  } finally {
    await child.kill('SIGTERM');
  }
}

async function relay() {
  const deployment: Deployment = await openDeployment({ store: STORE, bus: BUS });
  try {
    const seeded = await seed(await deployment.openStore(), PAIRS, IDLE);
    out(`relay: seeded ${PAIRS * 2} pair accounts and ${seeded.idle.length} idle accounts (${IDLE} devices)`);
    const servers = [];
    for (let n = 0; n < NODES; n++) {
      servers.push(
        await startChildServer({
          dataDir: deployment.dataDir(n),
          nodeArgs: INSPECT,
          args: deployment.serverArgs,
        }),
      );
    }
    try {
      const inspectors = await Promise.all(servers.map((server) => connectInspector(server.output)));
      try {
        const target = sottoTarget(
          servers.map((server) => server.wsUrl),
          servers.map((server) => server.pid),
          seeded,
        );
        const measured = await measure(target, inspectors);
        if (measured.load.lost > 0 || Object.keys(measured.load.errors).length > 0) {
          out('relay: messages failed; the servers said (last lines):');
          for (const server of servers)
            for (const line of server.output.join('').trim().split('\n').slice(-10))
              out(`  ${line.slice(0, 300)}`);
        }
        return measured;
      } finally {
        for (const inspector of inspectors) inspector.close();
      }
    } finally {
      await Promise.all(servers.map((server) => server.kill('SIGTERM')));
    }
  } finally {
    await deployment.close();
  }
}

try {
  out(
    `bench:relay: ${NODES} node(s) on ${STORE} and the ${BUS} bus; ` +
      `${DEVICES} devices (${PAIRS} pairs), ${IN_FLIGHT} in flight per pair, ${BODY}-byte bodies, ` +
      `${WARMUP} s warm-up + ${SECONDS} s measured; ${IDLE} idle connections; CPU and RSS from /proc`,
  );
  const f = await floor();
  const s = await relay();
  const result = {
    ok: s.load.lost === 0 && Object.keys(s.load.errors).length === 0,
    nodes: NODES,
    store: STORE,
    bus: BUS,
    devices: PAIRS * 2,
    seconds: r(s.load.seconds, 2),
    body_bytes: BODY,
    in_flight_per_pair: IN_FLIGHT,
    msgs_per_s: r(s.load.msgsPerS, 0),
    p50_ms: r(s.load.p50Ms, 2),
    p99_ms: r(s.load.p99Ms, 2),
    server_cpu_us_per_msg: r(s.load.cpuUsPerMsg, 1),
    idle_conn_kib: r(s.idle.perConnKiB, 2),
    idle_conn_kib_raw: r(s.idle.perConnRawKiB, 2),
    idle_connections: IDLE,
    lost: s.load.lost,
    errors: s.load.errors,
    floor_msgs_per_s: r(f.load.msgsPerS, 0),
    floor_p50_ms: r(f.load.p50Ms, 2),
    floor_p99_ms: r(f.load.p99Ms, 2),
    floor_cpu_us_per_msg: r(f.load.cpuUsPerMsg, 1),
    floor_idle_conn_kib: r(f.idle.perConnKiB, 2),
    floor_idle_conn_kib_raw: r(f.idle.perConnRawKiB, 2),
    cpu_vs_floor: r(s.load.cpuUsPerMsg / f.load.cpuUsPerMsg, 2),
    mem_vs_floor: r(s.idle.perConnKiB / f.idle.perConnKiB, 2),
    mem_vs_floor_raw: r(s.idle.perConnRawKiB / f.idle.perConnRawKiB, 2),
  };
  out(
    `cpu_vs_floor ${result.cpu_vs_floor} (target ≤ 3), mem_vs_floor ${result.mem_vs_floor} (target ≤ 2)` +
      (PROFILE === undefined ? '' : ' (a profiled run: the profiler slows the relay server)'),
  );
  out(JSON.stringify(result));
} finally {
  await killAllChildren();
}
