/**
 * How sizes, rates, times left and progress bars read in human output: binary units (KiB, MiB, GiB, as
 * the server's limits are stated), one decimal, and a bar line such as
 * `photo.jpg  [#######.............]  35%  17.5/50.0 MiB  21.3 MiB/s  ETA 0:02`.
 */

const KiB = 1024;
const MiB = KiB * 1024;
const GiB = MiB * 1024;

/** A size for people: `512 B`, `3.4 KiB`, `50.0 MiB`, `1.2 GiB`. */
export function formatSize(bytes: number): string {
  if (bytes < KiB) return `${bytes} B`;
  if (bytes < MiB) return `${(bytes / KiB).toFixed(1)} KiB`;
  if (bytes < GiB) return `${(bytes / MiB).toFixed(1)} MiB`;
  return `${(bytes / GiB).toFixed(1)} GiB`;
}

/** A duration in whole seconds as `M:SS` (or `H:MM:SS`); `--:--` when unknown or absurd. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0 || seconds >= 100 * 3600) return '--:--';
  const s = Math.ceil(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** One transfer as a bar shows it. */
export interface BarState {
  /** What is transferred (a file name, already safe to show). */
  readonly label: string;
  readonly bytes: number;
  readonly total: number;
  /** Bytes per second so far; undefined before it can be measured. */
  readonly rate: number | undefined;
}

const BAR_CELLS = 20;

/**
 * The bar line: label, bar, percent, MiB done of total, MiB/s and the time left. The label is shortened
 * (with `…`) so the whole line fits in `width` columns.
 */
export function progressLine(s: BarState, width: number): string {
  const fraction = s.total > 0 ? Math.min(1, s.bytes / s.total) : 1;
  const filled = Math.floor(fraction * BAR_CELLS);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_CELLS - filled)}]`;
  const percent = `${String(Math.floor(fraction * 100)).padStart(3)}%`;
  const amount = `${(s.bytes / MiB).toFixed(1)}/${(s.total / MiB).toFixed(1)} MiB`;
  const known = s.rate !== undefined && s.rate > 0;
  const rate = known ? `${((s.rate as number) / MiB).toFixed(1)} MiB/s` : '-- MiB/s';
  const eta = `ETA ${known ? formatDuration((s.total - s.bytes) / (s.rate as number)) : '--:--'}`;
  const tail = `  ${bar} ${percent}  ${amount}  ${rate}  ${eta}`;
  const room = Math.max(8, width - tail.length);
  const chars = [...s.label];
  const label = chars.length <= room ? s.label : `${chars.slice(0, room - 1).join('')}…`;
  return `${label}${tail}`;
}
