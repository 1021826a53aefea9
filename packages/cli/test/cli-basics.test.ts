/**
 * The binary without an account: help (documenting every exit code), `--version` everywhere, usage errors
 * (exit 2: unknown options, bad numbers), no password prompt without a terminal, and `sotto serve`
 * answering health checks and stopping on SIGINT.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/commands/index.js';
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

  it('documents every exit code in --help', async () => {
    const help = (await runSotto(['--help'])).stdout;
    for (const code of [0, 1, 2, 3, 4, 5, 130]) expect(help).toMatch(new RegExp(`^ +${code} +\\w`, 'm'));
    expect(help).toMatch(/longer than 16000 characters/);
    expect(help).toMatch(/--version/);
  });

  it('prints the version with --version, for sotto and every command, exit 0', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const lines = [[], ['help'], ...COMMANDS.map((c) => [c.name])].map((cmd) => [...cmd, '--version']);
    // A version request is answered before anything else: a command's missing arguments do not matter.
    lines.push(['send', '--version', '--profile', join(dir, 'none')]);
    const runs = await Promise.all(lines.map((args) => runSotto(args)));
    for (const [i, r] of runs.entries()) {
      expect({ args: lines[i], code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
        args: lines[i],
        code: 0,
        stdout: `sotto ${pkg.version}\n`,
        stderr: '',
      });
    }
    const json = await runSotto(['receive', '--version', '--json']);
    expect(json.stdout).toBe(`${JSON.stringify({ type: 'version', version: pkg.version })}\n`);
  });

  it('gives exit code 2 and one stderr line for usage errors', async () => {
    const none = ['--profile', join(dir, 'none')];
    const runs = await Promise.all([
      runSotto([]),
      runSotto(['--bogus']),
      runSotto(['--bogus', '--help']),
      runSotto(['help', '--bogus']),
      runSotto(['frobnicate']),
      runSotto(['frobnicate', '--version']),
      runSotto(['serve', '--port', 'x']),
      runSotto(['serve', '--bogus']),
      runSotto(['help', 'frobnicate']),
      runSotto(['contacts', 'frob', 'bob']),
      runSotto(['status', 'dancing']),
      runSotto(['send', 'bob', 'hi', '--bogus']),
      runSotto(['receive', '--timeout', 'soon']),
      runSotto(['send', 'bob', '', ...none]),
      runSotto(['groups', 'frob', ...none]),
      runSotto(['groups', 'list', '--revoke', ...none]),
      runSotto(['groups', 'add', 'team', ...none]),
      runSotto(['groups', 'rename', 'team', ...none]),
      runSotto(['send', '--group', 'team', ...none]),
      runSotto(['send', '--group', 'team', 'hi', 'there', ...none]),
      runSotto(['history', ...none]),
    ]);
    for (const r of runs) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^sotto.*\[USAGE\]\n$/);
    }
  });

  it('refuses bad numbers as usage errors (exit 2) before opening the profile', async () => {
    const none = ['--profile', join(dir, 'none')];
    const cases: Array<[string[], RegExp]> = [
      [['receive', '--timeout', '-1'], /--timeout/],
      [['receive', '--timeout', '0x10'], /--timeout/],
      [['receive', '--timeout', '1e3'], /--timeout/],
      // Longer than a Node timer can wait: it would fire at once.
      [['receive', '--timeout', '99999999999'], /--timeout must be at most/],
      [['receive', '--count', '0'], /--count/],
      [['receive', '--count', '2.5'], /--count/],
      [['receive', '--count', '0x10'], /--count/],
      [['history', 'bob', '--limit', '1e2'], /--limit/],
      [['history', 'bob', '--limit', ' 5'], /--limit/],
      [['chat', 'bob', '--history', 'ten'], /--history/],
      [['chat', 'bob', '--history', '1e1'], /--history/],
      [['devices', 'revoke', '1.5'], /device ID/],
      [['devices', 'revoke', '0x2'], /device ID/],
    ];
    const runs = await Promise.all(cases.map(([args]) => runSotto([...args, ...none])));
    for (const [i, r] of runs.entries()) {
      const [args, message] = cases[i] ?? [[], /./];
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/\[USAGE\]\n$/);
    }
  });

  it('refuses a bad group name or account as usage errors (exit 2) before opening the profile', async () => {
    const none = ['--profile', join(dir, 'none')];
    const runs = await Promise.all([
      runSotto(['groups', 'create', ' padded ', ...none]),
      runSotto(['groups', 'create', 'x'.repeat(129), ...none]),
      runSotto(['groups', 'create', 'bell\u0007', ...none]),
      runSotto(['groups', 'create', 'team', '--member', 'no spaces allowed', ...none]),
      runSotto(['groups', 'rename', 'team', '', ...none]),
    ]);
    for (const r of runs) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^sotto groups: .*\[(INVALID_ARGUMENT|INVALID_ACCOUNT_NAME)\]\n$/);
    }
    expect(runs[0]?.stderr).toContain('A group name has 1 to 128 characters');
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

  it('"sotto serve" refuses to start, saying why, when the OPAQUE setup does not match the database', async () => {
    const data = join(dir, 'srv-setup');
    const first = new JsonStream(
      spawnSotto(['serve', '--port', '0', '--host', '127.0.0.1', '--data', data, '--json']),
    );
    await first.waitFor((r) => r.type === 'listening');
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    rmSync(join(data, 'opaque-server-setup'));
    const again = await runSotto(['serve', '--port', '0', '--host', '127.0.0.1', '--data', data]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/opaque-server-setup|--opaque-setup/);
    expect(again.stderr).toMatch(/SERVER_SETUP/);
  });
});
