/**
 * A minimal Prometheus registry (text exposition format 0.0.4): counters and histograms with labels,
 * gauges read at scrape time, and info metrics (a constant 1 with labels). Written here instead of adding
 * prom-client (docs/decisions/0022); it covers what the server needs.
 */

type Labels = Readonly<Record<string, string>>;

const escapeLabel = (v: string): string =>
  v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function labelText(labels: Labels, extra?: [string, string]): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

const keyOf = (labels: Labels): string => {
  for (const _ in labels) return JSON.stringify(Object.entries(labels).sort());
  return '[]';
};

/** Anything the registry can render: the lines of one metric family, `# HELP` and `# TYPE` first. */
export interface Metric {
  render(): string[];
}

/** One labelled series of a {@link Counter}, resolved once so hot paths skip the label lookup. */
export interface CounterSeries {
  /** Adds `by` (default 1). */
  inc(by?: number): void;
}

/** A monotonically increasing count, per label set. */
export class Counter implements Metric {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  /** Series by the value of a single label, for {@link Counter.by}. */
  private readonly byValue = new Map<string, Map<string, CounterSeries>>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  /** Adds `by` (default 1) to the series with `labels`. */
  inc(labels: Labels = {}, by = 1): void {
    const k = keyOf(labels);
    const cur = this.values.get(k);
    if (cur) cur.value += by;
    else this.values.set(k, { labels, value: by });
  }

  /**
   * The series whose only label `name` is `value`, created on first use and cached (frame types and error
   * codes: a closed set, so the cache stays small). Same series as `inc({ [name]: value })`.
   */
  by(name: string, value: string): CounterSeries {
    let forName = this.byValue.get(name);
    if (forName === undefined) {
      forName = new Map();
      this.byValue.set(name, forName);
    }
    let series = forName.get(value);
    if (series === undefined) {
      const labels = { [name]: value };
      const k = keyOf(labels);
      let entry = this.values.get(k);
      if (entry === undefined) {
        entry = { labels, value: 0 };
        this.values.set(k, entry);
      }
      const e = entry;
      series = {
        inc: (by = 1) => {
          e.value += by;
        },
      };
      forName.set(value, series);
    }
    return series;
  }

  /** The current value of one series (0 when never incremented); for tests. */
  get(labels: Labels = {}): number {
    return this.values.get(keyOf(labels))?.value ?? 0;
  }

  render(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.values.values())
      out.push(`${this.name}${labelText(labels)} ${value}`);
    return out;
  }
}

/** A value read when scraped (connections, mailbox depth). */
export class Gauge implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => number,
  ) {}

  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, `${this.name} ${this.read()}`];
  }
}

/**
 * An info metric: a gauge whose one series is 1 and whose labels carry the facts (`sotto_build_info`,
 * `nodejs_version_info`), so queries can join on them.
 */
export class Info implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labels: Labels,
  ) {}

  render(): string[] {
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} gauge`,
      `${this.name}${labelText(this.labels)} 1`,
    ];
  }
}

/** Observations in cumulative buckets, per label set. */
export class Histogram implements Metric {
  private readonly series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
  ) {}

  /** Records one observation `value` in the series with `labels`. */
  observe(value: number, labels: Labels = {}): void {
    const k = keyOf(labels);
    let s = this.series.get(k);
    if (s === undefined) {
      s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= (this.buckets[i] ?? Number.POSITIVE_INFINITY)) s.counts[i] = (s.counts[i] ?? 0) + 1;
    }
    s.sum += value;
    s.count += 1;
  }

  render(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => {
        out.push(`${this.name}_bucket${labelText(s.labels, ['le', String(b)])} ${s.counts[i] ?? 0}`);
      });
      out.push(`${this.name}_bucket${labelText(s.labels, ['le', '+Inf'])} ${s.count}`);
      out.push(`${this.name}_sum${labelText(s.labels)} ${s.sum}`);
      out.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return out;
  }
}

/** A set of metrics rendered together. */
export class Registry {
  private readonly metrics: Metric[] = [];

  /** Adds `metric` and returns it. */
  register<M extends Metric>(metric: M): M {
    this.metrics.push(metric);
    return metric;
  }

  /** The Prometheus text exposition of every metric. */
  render(): string {
    return `${this.metrics.flatMap((m) => m.render()).join('\n')}\n`;
  }
}
