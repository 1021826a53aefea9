/**
 * The binary without an account: help, usage errors (exit 2), no password prompt without a terminal,
 * and `sotto serve` answering health checks and stopping on SIGINT.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonStream, runSotto, spawnSotto, tempRoot } from './helpers/sotto.js';

const temp = tempRoot('basics');
const dir = temp.path;
beforeAll(() => temp.create());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sotto without an account', () => {
  it('prints help with every command, and help for one command', async () => {
    const [all, one, flag] = await Promise.all([
      runSotto(['--help']),
      runSotto(['help', 'serve']),
      runSotto(['serve', '--help']),
    ]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/Commands:/);
    expect(all.stdout).toMatch(/Exit codes:/);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/usage: sotto serve/);
    expect(flag.stdout).toBe(one.stdout);
  });

  it('gives exit code 2 and one stderr line for usage errors', async () => {
    const runs = await Promise.all([
      runSotto([]),
      runSotto(['frobnicate']),
      runSotto(['serve', '--port', 'x']),
      runSotto(['help', 'frobnicate']),
      runSotto(['contacts', 'frob', 'bob']),
      runSotto(['status', 'dancing']),
      runSotto(['receive', '--timeout', 'soon']),
    ]);
    for (const r of runs) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^sotto.*\[USAGE\]\n$/);
    }
  });

  it('never prompts without a terminal, refuses a weak password, and needs an account', async () => {
    const profile = join(dir, 'p');
    const server = ['--server', 'http://127.0.0.1:9', '--profile', profile];
    const [noPassword, weak, noAccount, noServer, badServer] = await Promise.all([
      runSotto(['register', '--name', 'carol', ...server]),
      runSotto(['register', '--name', 'carol', ...server, '--json'], { env: { SOTTO_PASSWORD: 'carol123' } }),
      runSotto(['send', 'bob', 'hi', ...server]),
      runSotto(['register', '--name', 'carol', '--profile', profile]),
      runSotto(['register', '--name', 'carol', '--profile', profile, '--server', 'ftp://x']),
    ]);
    expect(noPassword).toMatchObject({ code: 2, stdout: '' });
    expect(noPassword.stderr).toMatch(/--password-file.*\[NO_PASSWORD\]\n$/);
    expect(weak.code).toBe(5);
    expect(weak.stdout).toBe('');
    expect(weak.stderr).toMatch(/\[WEAK_PASSWORD\]\n$/);
    expect(weak.stderr).not.toContain('carol123');
    expect(noAccount.code).toBe(2);
    expect(noAccount.stderr).toMatch(/\[NO_ACCOUNT\]/);
    expect(noServer.code).toBe(2);
    expect(noServer.stderr).toMatch(/--server/);
    expect(badServer.code).toBe(2);
  });

  it('shows the strength and suggestions of a weak password in human mode', async () => {
    const r = await runSotto(['register', '--name', 'carol', '--server', 'http://127.0.0.1:9'], {
      env: { SOTTO_PASSWORD: 'password1', SOTTO_PROFILE: join(dir, 'q') },
    });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/Password strength: .* [0-2]\/4 \(weak\)/);
    expect(r.stderr).toMatch(/^ {2}- /m);
  });

  it('runs the server with "sotto serve --port 0" and stops cleanly on SIGINT', async () => {
    const serve = new JsonStream(
      spawnSotto(['serve', '--port', '0', '--host', '127.0.0.1', '--data', join(dir, 'srv'), '--json']),
    );
    const listening = await serve.waitFor((r) => r.type === 'listening');
    const health = await fetch(`${String(listening.url)}/healthz`);
    expect(health.status).toBe(200);
    serve.child.kill('SIGINT');
    expect(await serve.exited).toBe(0);
  });
});
