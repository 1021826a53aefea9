/** The version of `sotto`: the one in this package's package.json (read from `src/` and `dist/` alike). */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** The version string, e.g. `0.1.0`. */
export function version(): string {
  if (cached === undefined) {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const v = (pkg as { version?: unknown }).version;
    cached = typeof v === 'string' ? v : 'unknown';
  }
  return cached;
}
