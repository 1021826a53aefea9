/**
 * The real `sotto-server` entry point in a child process: `--help` lists every option with its variable
 * and the exit codes, `--version` prints the package version, and the exit codes are 0 / 1 / 2 as the help
 * says.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_LIMITS } from '../src/config.js';
import { FLAGS } from '../src/config-flags.js';
import { killAllChildren, SERVER_MAIN, spawnChild } from './helpers/child-server.js';

const dirs: string[] = [];
afterAll(async () => {
  await killAllChildren();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs the entry point with `args` to its end: exit code and what it wrote to stdout and stderr. */
async function run(args: readonly string[], env: Record<string, string> = {}) {
  const child = spawnChild(SERVER_MAIN, args, { env });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.process.stdout?.on('data', (d: Buffer) => stdout.push(d.toString()));
  child.process.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  const { code } = await child.exited;
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

describe('sotto-server command line', () => {
  it('--help lists every option with its SOTTO_* variable and the exit codes, and exits 0', async () => {
    const { code, stdout, stderr } = await run(['--help']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^usage: sotto-server/);
    for (const [flag, spec] of Object.entries(FLAGS)) {
      expect(stdout).toContain(`${flag} ${spec.arg}`);
      expect(stdout).toContain(`[${spec.env}]`);
    }
    for (const limit of Object.keys(DEFAULT_SERVER_LIMITS)) expect(stdout).toContain(` ${limit}=`);
    expect(stdout).toContain('--version');
    expect(stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n[\s\S]* {2}2 /);
    // -h is the same, even next to options that would not parse.
    expect((await run(['--port', 'nope', '-h'])).stdout).toBe(stdout);
  });

  it('--version prints the package version and exits 0', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const { code, stdout } = await run(['--version']);
    expect(code).toBe(0);
    expect(stdout).toBe(`sotto-server ${pkg.version}\n`);
    expect((await run(['-V'])).stdout).toBe(stdout);
  });

  it('exits 2 on a bad option or value, saying what is wrong, without starting', async () => {
    const unknown = await run(['--nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown option --nope');
    const port = await run(['--port', '70000']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port must be 0..65535');
    const env = await run([], { SOTTO_STORE: 'mysql://db/sotto' });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('--store must be a postgres:// URL');
  });

  it('exits 1 when the server cannot start (the port is taken)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sotto-cli-'));
    dirs.push(dataDir);
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const address = blocker.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      const r = await run(['--host', '127.0.0.1', '--port', String(port), '--data', dataDir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('EADDRINUSE');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
