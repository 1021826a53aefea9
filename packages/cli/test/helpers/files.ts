/**
 * Files for the file-transfer tests: random content written in pieces (never a 50 MiB buffer at once),
 * SHA-256 of a file, a directory's entries, and the ciphertext blobs the server stores.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const PIECE = 1024 * 1024;

/** Writes `size` random bytes to `path`. */
export function writeRandomFile(path: string, size: number): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    for (let done = 0; done < size; done += PIECE) writeSync(fd, randomBytes(Math.min(PIECE, size - done)));
  } finally {
    closeSync(fd);
  }
}

/** SHA-256 of a file, hex. */
export function sha256Of(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Every entry of `dir` (hidden ones too), or [] when it does not exist. */
export function entries(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** The ciphertext blobs under the server's `<dataDir>/files` (tus keeps a `.json` record beside each). */
export function storedBlobs(dataDir: string): Array<{ path: string; size: number }> {
  const found: Array<{ path: string; size: number }> = [];
  const walk = (d: string) => {
    for (const name of entries(d)) {
      const p = join(d, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else if (!name.endsWith('.json')) found.push({ path: p, size: s.size });
    }
  };
  walk(join(dataDir, 'files'));
  return found;
}
