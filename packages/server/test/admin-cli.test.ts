/**
 * Every `sotto-server admin` command against the database of a running server — a real SQLite file, and
 * PostgreSQL — as a person reads it (tables) and as a script does (`--json`), with its exit codes; then the
 * real binary in a child process, found through a `--config` file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestAccount } from './helpers/account.js';
import { admin, adminChild, adminJson } from './helpers/admin.js';
import { killAllChildren } from './helpers/child-server.js';
import type { TestClient } from './helpers/client.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { describeWith, dropSchema, postgresUrlWithSchema, testSchemaName } from './helpers/services.js';
import { befriend, connect, registered } from './helpers/world.js';

const body = (s: string) => new Uint8Array(Buffer.from(s));

interface Setup {
  readonly name: string;
  readonly services: ('postgres' | 'redis')[];
  /** Starts the server; returns it with the admin's store flags. */
  start(): Promise<{ t: TestServer; flags: string[]; cleanup: () => Promise<void> }>;
}

const SETUPS: Setup[] = [
  {
    name: 'SQLite file',
    services: [],
    start: async () => {
      const t = await startTestServer({ limits: { operatorPollMs: 100 } });
      return { t, flags: ['--data', t.dataDir], cleanup: async () => {} };
    },
  },
  {
    name: 'PostgreSQL',
    services: ['postgres'],
    start: async () => {
      const schema = testSchemaName();
      const store = postgresUrlWithSchema(schema);
      const t = await startTestServer({ store, limits: { operatorPollMs: 100 } });
      return { t, flags: ['--store', store], cleanup: () => dropSchema(schema) };
    },
  },
];

for (const setup of SETUPS) {
  await describeWith(setup.services, `sotto-server admin on ${setup.name}`, () => {
    let t: TestServer;
    let flags: string[];
    let cleanup: () => Promise<void>;
    let alice: TestAccount;
    let bob: TestAccount;
    const clients: TestClient[] = [];
    const run = (...args: string[]) => admin([...flags, ...args]);
    const json = <T>(...args: string[]) => adminJson<T>([...flags, ...args]);

    beforeAll(async () => {
      ({ t, flags, cleanup } = await setup.start());
      alice = await registered(t, 'alice', 2);
      bob = await registered(t, 'bob');
      const a1 = await connect(t, alice, 1);
      const b1 = await connect(t, bob);
      clients.push(a1, b1);
      await befriend(alice, a1, bob, b1);
      // Three sends from alice: each to bob's device and alice's other one (two envelopes); bob is
      // connected and acknowledges nothing, so the envelopes wait in the mailboxes.
      for (const s of ['one', 'two', 'three']) {
        const sent = await a1.request({
          t: 'send',
          to: 'bob',
          messages: [
            { account: 'bob', deviceId: 1, body: body(s) },
            { account: 'alice', deviceId: 2, body: body(`copy ${s}`) },
          ],
        });
        expect(sent).toMatchObject({ t: 'sent' });
      }
    });
    afterAll(async () => {
      for (const c of clients) await c.close();
      await t?.stop();
      await cleanup?.();
    });

    it('users list: a table, and the same as JSON', async () => {
      const r = await run('users', 'list');
      expect(r.code).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^NAME\s+DEVICES\s+STATE\s+CREATED\s+LAST SEEN$/);
      expect(lines[1]).toMatch(/^alice\s+2\s+active\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\s+-$/);
      expect(lines[2]).toMatch(/^bob\s+1\s+active\s/);
      expect(lines.at(-1)).toBe('2 accounts');
      const users = await json<{ name: string; devices: number; disabledAt?: number }[]>('users', 'list');
      expect(users.map((u) => [u.name, u.devices, u.disabledAt])).toEqual([
        ['alice', 2, undefined],
        ['bob', 1, undefined],
      ]);
    });

    it('devices list: keys left and mail waiting per device', async () => {
      const r = await run('devices', 'list', 'alice');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        /^DEVICE\s+CERTIFIED\s+PREKEYS X25519\/ML-KEM\s+WAITING\s+BYTES\s+OLDEST WAITING/,
      );
      const { devices } = await json<{
        devices: { deviceId: number; certified: boolean; waiting: number }[];
      }>('devices', 'list', 'alice');
      // Device 2 never connected: not certified, and its copies of alice's sends wait for it.
      expect(devices.map((d) => [d.deviceId, d.certified, d.waiting])).toEqual([
        [1, true, 0],
        [2, false, 3],
      ]);
      expect(await run('devices', 'list', 'nobody')).toMatchObject({ code: 1, stderr: /no account nobody/ });
      expect(await run('devices', 'list')).toMatchObject({ code: 2, stderr: /account NAME is required/ });
    });

    it('stats: accounts, devices, devices online from the nodes, messages per day, storage', async () => {
      // The node adds its counts and reports its devices every operatorPollMs.
      await expect
        .poll(async () => (await json<{ days: { sends: number }[] }>('stats')).days.at(-1)?.sends, {
          timeout: 5_000,
        })
        .toBe(3);
      const s = await json<{
        accounts: number;
        devices: number;
        devicesOnline: number;
        nodes: unknown[];
        mailboxes: { envelopes: number; bytes: number };
        files: { files: number };
        databaseBytes: number;
        days: { day: string; sends: number; envelopes: number }[];
      }>('stats', '--days', '3');
      expect(s).toMatchObject({ accounts: 2, devices: 3, devicesOnline: 2, files: { files: 0 } });
      expect(s.nodes).toHaveLength(1);
      expect(s.mailboxes.envelopes).toBeGreaterThanOrEqual(3);
      expect(s.databaseBytes).toBeGreaterThan(0);
      expect(s.days).toHaveLength(3);
      expect(s.days.at(-1)).toEqual({ day: new Date().toISOString().slice(0, 10), sends: 3, envelopes: 6 });
      const text = await run('stats');
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/^accounts\s+2 \(0 disabled\)$/m);
      expect(text.stdout).toMatch(/^devices online\s+2 \(1 node reporting\)$/m);
      expect(text.stdout).toMatch(/^\d{4}-\d\d-\d\d\s+3\s+6$/m);
      expect(await run('stats', '--days', '0')).toMatchObject({ code: 2 });
    });

    it('tokens create, list and revoke; the token itself is printed once and never listed', async () => {
      const created = await run(
        'tokens',
        'create',
        '--uses',
        '3',
        '--expires',
        '2d',
        '--note',
        'for the Smiths',
      );
      expect(created.code).toBe(0);
      const [token, about] = created.stdout.split('\n');
      expect(token).toMatch(/^inv_[A-Za-z0-9_-]{24}$/);
      const id = /^Invite ([0-9a-f]{12}): 3 uses, expires/.exec(about ?? '')?.[1];
      expect(id).toBeDefined();
      const list = await run('tokens', 'list');
      expect(list.stdout).toMatch(new RegExp(`^${id}\\s+usable\\s+0/3\\s.*for the Smiths$`, 'm'));
      expect(list.stdout).not.toContain(token);
      expect(await run('tokens', 'revoke', id ?? '')).toMatchObject({
        code: 0,
        stdout: `Revoked invite ${id}.\n`,
      });
      expect(await run('tokens', 'revoke', id ?? '')).toMatchObject({ code: 1 });
      const listed = await json<{ id: string; state: string }[]>('tokens', 'list');
      expect(listed.find((i) => i.id === id)?.state).toBe('revoked');
      for (const bad of [
        ['tokens', 'create', '--uses', '0'],
        ['tokens', 'create', '--expires', 'soon'],
        ['tokens', 'revoke', 'not-an-id'],
      ]) {
        expect(await run(...bad), bad.join(' ')).toMatchObject({ code: 2 });
      }
    });

    it('users disable, enable and delete --yes, and what they leave', async () => {
      expect(await json('users', 'disable', 'bob')).toEqual({ account: 'bob', disabled: true });
      expect((await json<{ disabledAccounts: number }>('stats')).disabledAccounts).toBe(1);
      expect(await json('users', 'enable', 'bob')).toEqual({ account: 'bob', disabled: false });
      expect(await run('users', 'delete', 'bob')).toMatchObject({ code: 2, stderr: /add --yes/ });
      const deleted = await json<{ devices: number; envelopes: number }>('users', 'delete', 'bob', '--yes');
      expect(deleted).toMatchObject({ account: 'bob', devices: 1, envelopes: 3, files: 0 });
      expect((await json<{ name: string }[]>('users', 'list')).map((u) => u.name)).toEqual(['alice']);
    });

    it('exit 2 on a bad command or option, before touching the database', async () => {
      for (const bad of [[], ['users'], ['users', 'list', 'extra'], ['nope'], ['users', 'list', '--nope']]) {
        expect(await run(...bad), bad.join(' ')).toMatchObject({ code: 2 });
      }
    });
  });
}

describe('the sotto-server admin binary', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    await registered(t, 'zoe');
  });
  afterAll(async () => {
    await killAllChildren();
    await t?.stop();
  });

  it('finds the database through --config, and prints JSON', async () => {
    const config = join(t.dataDir, 'sotto.toml');
    writeFileSync(config, `data = "${t.dataDir}"\nregistration = "token"\n`);
    const r = await adminChild(['users', 'list', '--json', '--config', config]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { name: string }[]).map((u) => u.name)).toEqual(['zoe']);
    const env = await adminChild(['tokens', 'create', '--json'], { SOTTO_CONFIG: config });
    expect(env.code).toBe(0);
    expect(JSON.parse(env.stdout)).toMatchObject({ maxUses: 1, uses: 0 });
  });

  it('--help lists the commands and exit codes; no database is 1; a bad config is 2', async () => {
    const help = await adminChild(['--help']);
    expect(help.code).toBe(0);
    for (const words of [
      'users list',
      'users disable NAME',
      'users delete NAME --yes',
      'devices list NAME',
    ]) {
      expect(help.stdout).toContain(words);
    }
    expect(help.stdout).toMatch(/tokens create \[--uses N\]/);
    expect(help.stdout).toContain('Exit codes:');
    const missing = await adminChild(['users', 'list', '--data', join(t.dataDir, 'nowhere')]);
    expect(missing).toMatchObject({ code: 1, stderr: /there is no database at/ });
    const bad = join(t.dataDir, 'bad.toml');
    writeFileSync(bad, 'dta = "/srv"\n');
    expect(await adminChild(['users', 'list', '--config', bad])).toMatchObject({
      code: 2,
      stderr: /unknown key "dta"/,
    });
  });
});
