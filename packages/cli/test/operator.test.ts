/**
 * `sotto` against a server whose operator decides who registers and who stays: `sotto register --invite`
 * on a `token` server (exit 5 with INVITE_INVALID without a good one), REGISTRATION_CLOSED on a closed one
 * (`sotto serve --config` with `registration = "closed"`), and ACCOUNT_DISABLED (exit 3) for a disabled
 * account, with the invite made and the account disabled by `sotto-server admin` on the server's database.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningServer, runAdmin } from '@sotto/server';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer } from './helpers/server.js';
import { JsonStream, runSotto, spawnSotto, tempRoot } from './helpers/sotto.js';

const temp = tempRoot('operator');
const servers: RunningServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
  const { rmSync } = await import('node:fs');
  rmSync(temp.path, { recursive: true, force: true });
});

async function serve(name: string, registration: 'open' | 'token' | 'closed') {
  const dataDir = join(temp.path, name);
  const server = await startTestServer(dataDir, 0, { registration });
  servers.push(server);
  return { url: server.url, dataDir };
}

async function admin(dataDir: string, ...args: string[]): Promise<string> {
  let out = '';
  const code = await runAdmin(
    ['--data', dataDir, ...args],
    {},
    {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => {} },
    },
  );
  if (code !== 0) throw new Error(`admin ${args.join(' ')} exited ${code}`);
  return out;
}

const register = (url: string, name: string, extra: string[] = [], env: Record<string, string> = {}) =>
  runSotto(
    [
      'register',
      '--name',
      name,
      '--server',
      url,
      '--profile',
      join(temp.path, `p-${name}`),
      '--unattended',
      ...extra,
    ],
    {
      env: { SOTTO_PASSWORD: 'correct horse battery staple 42!', ...env },
    },
  );

describe('sotto and the operator', () => {
  it('register --invite on a token server; without a good invite, exit 5 INVITE_INVALID', {
    timeout: 180_000,
  }, async () => {
    temp.create();
    const { url, dataDir } = await serve('token', 'token');
    const none = await register(url, 'alice');
    expect(none.code).toBe(5);
    expect(none.stderr).toContain('[INVITE_INVALID]');
    const token = (await admin(dataDir, 'tokens', 'create', '--uses', '2')).split('\n')[0] ?? '';
    const ok = await register(url, 'alice2', ['--invite', token]);
    expect(ok.code, ok.stderr).toBe(0);
    // The variable works too.
    const viaEnv = await register(url, 'alice3', [], { SOTTO_INVITE: token });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    const usedUp = await register(url, 'alice4', ['--invite', token]);
    expect(usedUp.code).toBe(5);
    expect(usedUp.stderr).toContain('[INVITE_INVALID]');
  });

  it('sotto serve --config with registration = "closed": exit 5 REGISTRATION_CLOSED', {
    timeout: 90_000,
  }, async () => {
    temp.create();
    const config = join(temp.path, 'closed.toml');
    writeFileSync(
      config,
      `host = "127.0.0.1"\nport = 0\ndata = "${join(temp.path, 'closed')}"\nregistration = "closed"\n`,
    );
    const serving = new JsonStream(spawnSotto(['serve', '--config', config, '--json']));
    try {
      const listening = await serving.waitFor((r) => r.type === 'listening');
      const r = await register(String(listening.url), 'bob');
      expect(r.code).toBe(5);
      expect(r.stderr).toContain('[REGISTRATION_CLOSED]');
    } finally {
      serving.child.kill('SIGINT');
      expect(await serving.exited).toBe(0);
    }
    // The same checks as sotto-server: an unknown key is a usage error.
    writeFileSync(config, 'registraton = "closed"\n');
    const bad = await runSotto(['serve', '--config', config]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown key "registraton"');
  });

  it('a disabled account: exit 3 ACCOUNT_DISABLED, until the operator enables it', {
    timeout: 120_000,
  }, async () => {
    temp.create();
    const { url, dataDir } = await serve('open', 'open');
    expect((await register(url, 'carol')).code).toBe(0);
    const profile = join(temp.path, 'p-carol');
    await admin(dataDir, 'users', 'disable', 'carol');
    const refused = await runSotto(['contacts', 'list', '--profile', profile]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('[ACCOUNT_DISABLED]');
    await admin(dataDir, 'users', 'enable', 'carol');
    const back = await runSotto(['contacts', 'list', '--profile', profile]);
    expect(back.code, back.stderr).toBe(0);
  });
});
