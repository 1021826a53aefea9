/**
 * The process and runtime metrics every Prometheus client exports by default, under prom-client's names so
 * existing dashboards and alerts work unchanged: CPU seconds, resident memory, open and maximum file
 * descriptors, start time, V8 heap, event-loop lag (from `monitorEventLoopDelay`, reset at each scrape
 * like prom-client does), garbage-collection pauses and the Node version. Metrics that need `/proc` are
 * left out where it does not exist.
 */
import { readdirSync, readFileSync } from 'node:fs';
import {
  constants,
  type IntervalHistogram,
  monitorEventLoopDelay,
  PerformanceObserver,
} from 'node:perf_hooks';
import { Histogram, Info, type Metric, type Registry } from './registry.js';

/** A counter or gauge read when scraped; a read that gives undefined renders nothing. */
class Sampled implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly type: 'counter' | 'gauge',
    private readonly read: () => number | undefined,
  ) {}

  render(): string[] {
    const v = this.read();
    if (v === undefined || !Number.isFinite(v)) return [];
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`, `${this.name} ${v}`];
  }
}

/** The event-loop delay since the last scrape: min, max, mean, deviation and percentiles, in seconds. */
class EventLoopLag implements Metric {
  constructor(private readonly h: IntervalHistogram) {}

  render(): string[] {
    const s = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
    const values: [string, number][] = [
      ['min', s(this.h.min)],
      ['max', s(this.h.max)],
      ['mean', s(this.h.mean)],
      ['stddev', s(this.h.stddev)],
      ['p50', s(this.h.percentile(50))],
      ['p90', s(this.h.percentile(90))],
      ['p99', s(this.h.percentile(99))],
    ];
    this.h.reset();
    return values.flatMap(([stat, v]) => {
      const name = `nodejs_eventloop_lag_${stat}_seconds`;
      return [`# HELP ${name} The ${stat} of the event-loop delay.`, `# TYPE ${name} gauge`, `${name} ${v}`];
    });
  }
}

/** Open file descriptors (Linux). */
function openFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length - 1; // less the one reading the directory
  } catch {
    return undefined;
  }
}

/** The soft limit of open file descriptors (Linux). */
function maxFds(): number | undefined {
  try {
    const line = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return line?.[1] === undefined ? undefined : Number(line[1]);
  } catch {
    return undefined;
  }
}

/** `PerformanceEntry.detail.kind` of a GC entry → prom-client's `kind` label. */
const GC_KINDS: Readonly<Record<number, string>> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/**
 * Registers the default process and runtime metrics in `registry`. Returns a function that stops what
 * they observe (the event-loop monitor and the GC observer), for when the server closes.
 */
export function registerProcessMetrics(registry: Registry): () => void {
  const cpu = () => process.cpuUsage();
  const started = Math.round(Date.now() / 1000 - process.uptime());
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const gc = new Histogram(
    'nodejs_gc_duration_seconds',
    'Garbage collection pauses, by kind.',
    [0.001, 0.01, 0.1, 1, 2, 5],
  );
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind ?? 0;
      gc.observe(entry.duration / 1000, { kind: GC_KINDS[kind] ?? 'unknown' });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const [major = '0', minor = '0', patch = '0'] = process.versions.node.split('.');

  const metrics: Metric[] = [
    new Sampled(
      'process_cpu_user_seconds_total',
      'User CPU time spent, in seconds.',
      'counter',
      () => cpu().user / 1e6,
    ),
    new Sampled(
      'process_cpu_system_seconds_total',
      'System CPU time spent, in seconds.',
      'counter',
      () => cpu().system / 1e6,
    ),
    new Sampled('process_cpu_seconds_total', 'User and system CPU time spent, in seconds.', 'counter', () => {
      const c = cpu();
      return (c.user + c.system) / 1e6;
    }),
    new Sampled(
      'process_start_time_seconds',
      'Start time of the process since the epoch, in seconds.',
      'gauge',
      () => started,
    ),
    new Sampled('process_resident_memory_bytes', 'Resident memory size, in bytes.', 'gauge', () =>
      process.memoryUsage.rss(),
    ),
    new Sampled('process_open_fds', 'Open file descriptors.', 'gauge', openFds),
    new Sampled('process_max_fds', 'The most file descriptors the process may open.', 'gauge', maxFds),
    new Sampled(
      'nodejs_heap_size_total_bytes',
      'V8 heap size, in bytes.',
      'gauge',
      () => process.memoryUsage().heapTotal,
    ),
    new Sampled(
      'nodejs_heap_size_used_bytes',
      'V8 heap used, in bytes.',
      'gauge',
      () => process.memoryUsage().heapUsed,
    ),
    new Sampled(
      'nodejs_external_memory_bytes',
      'Memory of C++ objects bound to JavaScript, in bytes.',
      'gauge',
      () => process.memoryUsage().external,
    ),
    new Sampled(
      'nodejs_active_resources_total',
      'Resources keeping the event loop alive.',
      'gauge',
      () => process.getActiveResourcesInfo().length,
    ),
    new EventLoopLag(lag),
    gc,
    new Info('nodejs_version_info', 'The Node.js version.', {
      version: process.version,
      major,
      minor,
      patch,
    }),
  ];
  for (const m of metrics) registry.register(m);
  return () => {
    lag.disable();
    observer.disconnect();
  };
}
