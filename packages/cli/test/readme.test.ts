/**
 * The terminal example in the root README.md ("The terminal client") works as written: the test takes
 * that exact code block and runs it line by line in one bash, as pasting it would. Only the world around
 * it is substituted: the server URL is this test's server, `$HOME` is a temporary directory (so
 * `~/.sotto-alice` lands there), and `npx sotto` runs the binary from the sources (as the other tests
 * do) instead of the build that `npm start` makes. bob must receive alice's message and file (saved in
 * his profile, equal to the README itself) and her message in the group she made, and both safety
 * numbers must be equal.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningServer } from '@sotto/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from './helpers/server.js';
import { collect, tempRoot } from './helpers/sotto.js';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));
const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const README_SERVER = 'http://localhost:8080';

const temp = tempRoot('readme');
const home = join(temp.path, 'home');
let server: RunningServer;

/** The first `sh` code block of the README section `heading`, as its lines. */
function codeBlock(markdown: string, heading: string): string[] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  const block = section?.match(/^```sh\n([\s\S]*?)^```$/m)?.[1];
  if (block === undefined) throw new Error(`no sh block under "## ${heading}" in README.md`);
  return block.split('\n').filter((line) => line.trim() !== '');
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * A bash script running `lines` one by one; before each it prints a marker, after a failing one the
 * marker of the failure, and stops.
 */
function script(lines: readonly string[]): string {
  return lines
    .map(
      (line, i) =>
        `printf '\\n@@ line %d\\n' ${i}\n${line}\nstatus=$?\nif [ "$status" -ne 0 ]; then printf '\\n@@ failed %d with %d\\n' ${i} "$status"; exit 1; fi`,
    )
    .join('\n');
}

beforeAll(async () => {
  temp.create();
  server = await startTestServer(join(temp.path, 'server'));
});

afterAll(async () => {
  await server?.close(500);
  rmSync(temp.path, { recursive: true, force: true });
});

describe("the README's terminal example", () => {
  it('runs as written: both register, become contacts, bob receives a message, a file and a group message, safety numbers match', {
    timeout: 300_000,
  }, async () => {
    const lines = codeBlock(readFileSync(README, 'utf8'), 'The terminal client');
    expect(lines.filter((l) => l.includes(README_SERVER))).toHaveLength(1);
    const run = lines.map((l) => l.replace(README_SERVER, server.url));

    // `npx sotto` → the binary from the sources; every other command is bash's own.
    const prelude = join(temp.path, 'prelude.sh');
    writeFileSync(
      prelude,
      `npx() { if [ "$1" = sotto ]; then shift; ${[process.execPath, '--conditions=source', '--import', 'tsx', BIN].map(q).join(' ')} "$@"; else command npx "$@"; fi; }\n`,
    );
    mkdirSync(home, { recursive: true });
    const env: NodeJS.ProcessEnv = { NO_COLOR: '1', BASH_ENV: prelude, HOME: home };
    for (const [k, v] of Object.entries(process.env)) {
      if (!k.startsWith('SOTTO_') && k !== 'HOME' && k !== 'BASH_ENV') env[k] = v;
    }
    const child = spawn('bash', ['-c', script(run)], { cwd: ROOT, env });
    const result = await collect(child, '');
    if (result.code !== 0) throw new Error(`README line failed:\n${result.stdout}\n${result.stderr}`);

    const outputs = result.stdout.split(/^@@ line \d+\n/m).slice(1);
    expect(outputs).toHaveLength(run.length);
    const outputOf = (command: string) => {
      const i = run.findIndex((l) => l.includes(command));
      expect(i).toBeGreaterThanOrEqual(0);
      return outputs[i] ?? '';
    };
    expect(outputOf('receive')).toMatch(/^\[\d\d:\d\d\] alice: hello bob$/m);
    const fileLine = run.findIndex((l) => l.includes('send-file'));
    expect(outputOf('send-file')).toMatch(/^sent "README\.md" \(\d+\.\d KiB\) to bob$/m);
    const saved = join(home, '.sotto-bob', 'files', 'README.md');
    expect(outputs[fileLine + 1]).toMatch(
      /alice: file "README\.md" \(.*, text\/markdown, downloaded\): the readme/,
    );
    expect(outputs[fileLine + 1]).toContain(`saved to ${saved}`);
    expect(readFileSync(saved, 'utf8')).toBe(readFileSync(README, 'utf8'));
    expect(outputOf('groups create')).toMatch(/^created group #[0-9a-f]{32} {2}team \(xwing\)$/m);
    const groupLine = run.findIndex((l) => l.includes('send --group'));
    expect(outputs[groupLine]).toMatch(/^sent to #team$/m);
    expect(outputs[groupLine + 1]).toMatch(/^• \[#team\] you were added to the group by alice$/m);
    expect(outputs[groupLine + 1]).toMatch(/^\[\d\d:\d\d\] \[#team\] alice: hello team$/m);
    const digits = (out: string) => out.match(/^ {4}\d{5} \d{5} \d{5} \d{5}$/gm) ?? [];
    const alices = digits(outputOf('safety-number bob'));
    expect(alices).toHaveLength(3);
    expect(digits(outputOf('safety-number alice'))).toEqual(alices);
  });
});
