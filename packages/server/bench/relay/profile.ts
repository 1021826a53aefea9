/**
 * Summarises a V8 `.cpuprofile` (from `--profile DIR`): self time by function and by source file, top N.
 * Usage: node --import tsx bench/relay/profile.ts FILE.cpuprofile [N]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (file === undefined) throw new Error('usage: profile.ts FILE.cpuprofile [N]');
const top = Number(process.argv[3] ?? 25);
const prof = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, ProfileNode>();
for (const n of prof.nodes) for (const c of n.children ?? []) parentOf.set(c, n);
const self = new Map<number, number>();
for (const [i, id] of prof.samples.entries()) self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);

const short = (url: string) => url.replace(/^file:\/\/\/work\/main\//, '').replace(/.*node_modules\//, 'nm:');
const byFn = new Map<string, number>();
const byFile = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id);
  if (n === undefined) continue;
  const f = n.callFrame;
  const where = f.url === '' ? '(native)' : short(f.url);
  // A native function (an SQLite statement, a socket write) is named with the JS function that called it.
  const caller = f.url === '' ? parentOf.get(id)?.callFrame : undefined;
  const via =
    caller === undefined || caller.url === ''
      ? ''
      : ` ← ${caller.functionName || '(anonymous)'} ${short(caller.url)}`;
  const key = `${f.functionName || '(anonymous)'}  ${where}:${f.lineNumber + 1}${via}`;
  byFn.set(key, (byFn.get(key) ?? 0) + us);
  const fileKey = f.url === '' ? f.functionName || '(native)' : where;
  byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + us);
}
const print = (title: string, m: Map<string, number>) => {
  process.stdout.write(`${title} (total ${(total / 1e3).toFixed(0)} ms)\n`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(
      `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1e3).toFixed(0).padStart(6)} ms  ${k}\n`,
    );
  }
};
print('self time by function', byFn);
print('self time by file', byFile);
