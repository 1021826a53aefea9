/**
 * What an operator's Prometheus and Grafana read at `/metrics` of a running server: the default process
 * and runtime metrics (prom-client's names), `sotto_build_info` with the version, Node and the store and
 * bus in use, `sotto_devices_online`; and every metric the Grafana dashboard in deploy/grafana queries.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverVersion } from '../src/version.js';
import type { TestClient } from './helpers/client.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { connect, registered } from './helpers/world.js';

const DASHBOARD = fileURLToPath(new URL('../../../deploy/grafana/sotto-dashboard.json', import.meta.url));

let t: TestServer;
let c: TestClient;
beforeAll(async () => {
  t = await startTestServer();
  c = await connect(t, await registered(t, 'alice'));
});
afterAll(async () => {
  await c.close();
  await t.stop();
});

/** The exposition text of `/metrics`. */
async function scrape(): Promise<string> {
  const res = await fetch(`${t.url}/metrics`);
  expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
  return res.text();
}

/** Metric families declared by `# TYPE` lines, with their types. */
function families(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out.set(m[1] as string, m[2] as string);
  return out;
}

/** The value of the one sample of `name` (no labels). */
function sample(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  if (m?.[1] === undefined) throw new Error(`no sample ${name}`);
  return Number(m[1]);
}

describe('/metrics for operators', () => {
  it('exports the default process and runtime metrics under their usual names', async () => {
    const text = await scrape();
    const f = families(text);
    for (const [name, type] of [
      ['process_cpu_seconds_total', 'counter'],
      ['process_cpu_user_seconds_total', 'counter'],
      ['process_resident_memory_bytes', 'gauge'],
      ['process_start_time_seconds', 'gauge'],
      ['process_open_fds', 'gauge'],
      ['process_max_fds', 'gauge'],
      ['nodejs_heap_size_used_bytes', 'gauge'],
      ['nodejs_eventloop_lag_p99_seconds', 'gauge'],
      ['nodejs_gc_duration_seconds', 'histogram'],
      ['nodejs_version_info', 'gauge'],
    ]) {
      expect(f.get(name ?? ''), name).toBe(type);
    }
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(sample(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'process_open_fds')).toBeGreaterThan(3);
    expect(
      Math.abs(sample(text, 'process_start_time_seconds') - (Date.now() / 1000 - process.uptime())),
    ).toBeLessThan(5);
    expect(text).toContain(`nodejs_version_info{version="${process.version}",`);
  });

  it('says which build runs, on what, and how many devices are online', async () => {
    const text = await scrape();
    expect(text).toContain(
      `sotto_build_info{version="${serverVersion()}",node="${process.version}",store="sqlite",bus="memory"} 1`,
    );
    expect(serverVersion()).toMatch(/^\d+\.\d+\.\d+/);
    expect(sample(text, 'sotto_devices_online')).toBe(1);
    await c.close();
    await expect.poll(async () => sample(await scrape(), 'sotto_devices_online')).toBe(0);
  });

  it('has every metric the Grafana dashboard queries', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      panels: { targets?: { expr: string }[] }[];
      templating: { list: { query?: unknown }[] };
    };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(20);
    // The metric names of PromQL: what is left after removing strings, label matchers, ranges, `by (…)`
    // clauses and numbers, less function names (followed by a parenthesis).
    const names = new Set<string>();
    for (const e of exprs) {
      const bare = e
        .replace(/"[^"]*"/g, '')
        .replace(/\{[^}]*\}/g, '')
        .replace(/\[[^\]]*\]/g, '')
        .replace(/\b(by|without)\s*\([^)]*\)/g, '')
        .replace(/\b\d+(\.\d+)?\b/g, '');
      for (const m of bare.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)) names.add(m[1] as string);
    }
    // The node picker lists the instances of one metric: label_values(METRIC, instance).
    for (const v of dashboard.templating.list) {
      const q = (v.query as { query?: string } | undefined)?.query;
      const metric = q === undefined ? undefined : /^label_values\((\w+),/.exec(q)?.[1];
      if (metric !== undefined) names.add(metric);
    }
    expect(names.size).toBeGreaterThan(20);
    // Histograms expose _bucket, _sum and _count series under one family.
    const f = families(await scrape());
    const missing = [...names].filter((n) => !f.has(n) && !f.has(n.replace(/_(bucket|sum|count)$/, '')));
    expect(missing).toEqual([]);
  });
});
