/** The server's version: the one in this package's package.json (next to `src/` and `dist/` alike). */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** `0.1.0`, or `unknown` when package.json cannot be read. */
export function serverVersion(): string {
  if (cached !== undefined) return cached;
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const v = typeof pkg === 'object' && pkg !== null && 'version' in pkg ? pkg.version : undefined;
    cached = typeof v === 'string' ? v : 'unknown';
  } catch {
    cached = 'unknown';
  }
  return cached;
}
