/**
 * Shows the SDK's `file-progress` events: a bar on stderr redrawn in place when stderr is a terminal
 * (percent, MiB, MiB/s, time left; several transfers at once share one line), nothing in human mode
 * otherwise, and `{"type":"progress","id","direction","bytes","total"}` records with `--json`.
 */
import type { FileProgressEvent } from '@sotto/client';
import type { Output } from './output.js';
import { progressLine } from './progress-format.js';

/** How often the bar is redrawn at most, in ms. */
const REDRAW_MS = 100;

/** Options of {@link ProgressDisplay}. */
export interface ProgressOptions {
  /** Transfers smaller than this (plaintext bytes) show nothing; default 0 (every transfer). */
  readonly minBytes?: number;
  /** The name of a transfer not given one with {@link ProgressDisplay.label}; default `file`. */
  readonly label?: string;
  /** The clock, ms (tests). */
  readonly now?: () => number;
}

interface Tracked {
  label: string;
  direction: 'up' | 'down';
  total: number;
  bytes: number;
  /** When and where this process first saw it (a resumed transfer starts past 0). */
  readonly firstAt: number;
  readonly firstBytes: number;
  recorded: number;
}

/** The progress of the transfers of one command. */
export class ProgressDisplay {
  private readonly transfers = new Map<string, Tracked>();
  private readonly labels = new Map<string, string>();
  private lastDraw = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(
    private readonly out: Output,
    private readonly options: ProgressOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Names transfer `id` in the bar (a file name; it is shown escaped). */
  label(id: string, label: string): void {
    this.labels.set(id, label);
    const t = this.transfers.get(id);
    if (t !== undefined) t.label = label;
  }

  /** Takes one `file-progress` event. */
  update(e: FileProgressEvent): void {
    if (e.total < (this.options.minBytes ?? 0)) return;
    let t = this.transfers.get(e.messageId);
    if (t === undefined) {
      t = {
        label: this.labels.get(e.messageId) ?? this.options.label ?? 'file',
        direction: e.direction,
        total: e.total,
        bytes: e.bytes,
        firstAt: this.now(),
        firstBytes: e.bytes,
        recorded: -1,
      };
      this.transfers.set(e.messageId, t);
    }
    t.bytes = e.bytes;
    t.total = e.total;
    if (this.out.json && e.bytes !== t.recorded) {
      t.recorded = e.bytes;
      this.out.record({
        type: 'progress',
        id: e.messageId,
        direction: e.direction,
        bytes: e.bytes,
        total: e.total,
      });
    }
    this.schedule();
  }

  /** Transfer `id` ended (finished, failed or cancelled): it leaves the bar. */
  end(id: string): void {
    if (!this.transfers.delete(id)) return;
    if (this.transfers.size === 0) this.clear();
    else this.schedule();
  }

  /** Removes the bar (and forgets nothing else). */
  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.out.clearStatus();
  }

  private schedule(): void {
    if (!this.out.live || this.timer !== undefined) return;
    const wait = this.lastDraw + REDRAW_MS - this.now();
    if (wait <= 0) {
      this.draw();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, wait);
    this.timer.unref();
  }

  private draw(): void {
    if (this.transfers.size === 0) return;
    this.lastDraw = this.now();
    const all = [...this.transfers.values()];
    const elapsed = (t: Tracked) => (this.lastDraw - t.firstAt) / 1000;
    const rates = all.map((t) => (elapsed(t) >= 0.2 ? (t.bytes - t.firstBytes) / elapsed(t) : undefined));
    const known = rates.filter((r): r is number => r !== undefined);
    const arrow = (t: Tracked) => (t.direction === 'up' ? '↑' : '↓');
    const first = all[0] as Tracked;
    const label = all.length === 1 ? `${arrow(first)} ${first.label}` : `${all.length} files`;
    this.out.status(
      progressLine(
        {
          label,
          bytes: all.reduce((n, t) => n + t.bytes, 0),
          total: all.reduce((n, t) => n + t.total, 0),
          rate: known.length === 0 ? undefined : known.reduce((a, b) => a + b, 0),
        },
        this.out.width,
      ),
    );
  }
}
