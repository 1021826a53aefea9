/** Sizes and durations of files as people read them. */

const UNITS = ['bytes', 'KB', 'MB', 'GB'] as const;

/** `812 bytes`, `4.2 KB`, `50 MB` (1 KB = 1024 bytes, as file managers count). */
export function formatBytes(n: number): string {
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${n} ${n === 1 ? 'byte' : 'bytes'}`;
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}

/** `0:07`, `12:31`, `1:02:03`. */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const s = String(total % 60).padStart(2, '0');
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
