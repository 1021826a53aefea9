/**
 * A failed `register` or `login` leaves the profile as it found it, so the retry works: a wrong password,
 * a name that is taken, a server that is down — each followed by the right attempt (with another password,
 * as a user who mistyped or changed their mind would give). A profile that holds an account is never
 * touched, and a store left without an account by an interrupted older run is moved aside, not deleted.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningServer } from '@sotto/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from './helpers/server.js';
import { type RunResult, runSotto, tempRoot } from './helpers/sotto.js';

const temp = tempRoot('retry');
const root = temp.path;
const PASSWORD = 'harbor cobalt violin 73 meadow';
const OTHER = 'glacier pepper lantern 58 canyon';
let server: RunningServer;

const start = (port: number) => startTestServer(join(root, 'server'), port);

function sotto(profile: string, password: string, args: readonly string[]): Promise<RunResult> {
  return runSotto([...args, '--profile', profile], { env: { SOTTO_PASSWORD: password } });
}

async function whoami(profile: string, password: string): Promise<Record<string, unknown>> {
  const r = await sotto(profile, password, ['whoami', '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

beforeAll(async () => {
  temp.create();
  server = await start(0);
  const alice = await sotto(join(root, 'alice'), PASSWORD, [
    'register',
    '--name',
    'alice',
    '--server',
    server.url,
  ]);
  expect(alice.code).toBe(0);
});

afterAll(async () => {
  await server?.close(500);
  rmSync(root, { recursive: true, force: true });
});

describe.sequential('a failed register or login', () => {
  it('login with a wrong password, then the right one', { timeout: 60_000 }, async () => {
    const profile = join(root, 'alice-2');
    const url = ['--server', server.url];
    const wrong = await sotto(profile, OTHER, ['login', '--name', 'alice', ...url]);
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/\[LOGIN_FAILED\]\n$/);
    expect(existsSync(profile)).toBe(false);
    const right = await sotto(profile, PASSWORD, ['login', '--name', 'alice', ...url, '--json']);
    expect(right.stderr).toBe('');
    expect(right.code).toBe(0);
    expect(await whoami(profile, PASSWORD)).toMatchObject({ account: 'alice', deviceId: 2 });
  });

  it('register refused (name taken), then another name in the same profile', {
    timeout: 60_000,
  }, async () => {
    const profile = join(root, 'bob');
    const url = ['--server', server.url];
    const taken = await sotto(profile, PASSWORD, ['register', '--name', 'alice', ...url]);
    expect(taken.code).toBe(5);
    expect(taken.stderr).toMatch(/\[ACCOUNT_EXISTS\]\n$/);
    const bob = await sotto(profile, OTHER, ['register', '--name', 'bob', ...url]);
    expect(bob.code).toBe(0);
    expect(await whoami(profile, OTHER)).toMatchObject({ account: 'bob', deviceId: 1 });
  });

  it('register and login while the server is down, then up', { timeout: 90_000 }, async () => {
    const carol = join(root, 'carol');
    const alice3 = join(root, 'alice-3');
    const port = server.port;
    const url = ['--server', server.url];
    await server.close(500);
    try {
      const [down, downLogin] = await Promise.all([
        sotto(carol, PASSWORD, ['register', '--name', 'carol', ...url]),
        sotto(alice3, PASSWORD, ['login', '--name', 'alice', ...url, '--unattended']),
      ]);
      expect(down.code).toBe(4);
      expect(down.stderr).toMatch(/\[NETWORK\]\n$/);
      expect(downLogin.code).toBe(4);
    } finally {
      server = await start(port);
    }
    const [up, upLogin] = await Promise.all([
      sotto(carol, OTHER, ['register', '--name', 'carol', ...url]),
      sotto(alice3, PASSWORD, ['login', '--name', 'alice', ...url]),
    ]);
    expect(up.code).toBe(0);
    expect(upLogin.code).toBe(0);
    expect(await whoami(carol, OTHER)).toMatchObject({ account: 'carol' });
    // Logged in with a password-protected store this time (the failed try asked for --unattended).
    expect(await whoami(alice3, PASSWORD)).toMatchObject({ account: 'alice' });
  });

  it('never touches a profile that holds an account', { timeout: 60_000 }, async () => {
    const profile = join(root, 'alice');
    const register = await sotto(profile, OTHER, ['register', '--name', 'dave', '--server', server.url]);
    const login = await sotto(profile, OTHER, ['login', '--name', 'alice', '--server', server.url]);
    for (const r of [register, login]) {
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(/\[ALREADY_REGISTERED\]\n$/);
    }
    expect(await whoami(profile, PASSWORD)).toMatchObject({ account: 'alice', deviceId: 1 });
  });

  it('moves a store left without an account aside, and registers', { timeout: 60_000 }, async () => {
    const profile = join(root, 'erin');
    mkdirSync(profile, { mode: 0o700 });
    writeFileSync(join(profile, 'sotto.db'), 'an interrupted older run left this');
    const r = await sotto(profile, PASSWORD, ['register', '--name', 'erin', '--server', server.url]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/moved aside/);
    const aside = readdirSync(profile).filter((f) => f.startsWith('sotto.db.unused-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(profile, aside[0] ?? ''), 'utf8')).toBe('an interrupted older run left this');
    expect(await whoami(profile, PASSWORD)).toMatchObject({ account: 'erin' });
  });
});
