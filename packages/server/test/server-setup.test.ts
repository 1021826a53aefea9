/**
 * A node never silently makes its own OPAQUE key: the store records the fingerprint of the deployment's
 * setup, and a node whose setup is missing or different refuses to start (instead of starting and failing
 * every login). On SQLite (a data directory that lost its setup file), through the real command line
 * (exit 1), and on PostgreSQL with two nodes on one schema.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as opaque from '@serenity-kit/opaque';
import { DATABASE_FILE, ServerSetupError } from '@sotto/server';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SERVER_SETUP_FILE, SETUP_FINGERPRINT, setupFingerprint } from '../src/modules/auth/server-setup.js';
import { TestAccount } from './helpers/account.js';
import { killAllChildren, SERVER_MAIN, spawnChild } from './helpers/child-server.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { describeWith, dropSchema, postgresUrlWithSchema, testSchemaName } from './helpers/services.js';

const dirs: string[] = [];
const running: TestServer[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sotto-setup-'));
  dirs.push(d);
  return d;
};
afterEach(async () => {
  for (const t of running.splice(0)) await t.stop(true);
});
afterAll(async () => {
  await killAllChildren();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Starts a server that is stopped after the test (its data directory stays for a restart). */
async function start(options: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const t = await startTestServer(options);
  running.push(t);
  return t;
}

const fileOf = (dataDir: string) => join(dataDir, SERVER_SETUP_FILE);

/** The fingerprint a SQLite data directory's database records. */
function recorded(dataDir: string): string | undefined {
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    const row = db.prepare('SELECT value FROM server_info WHERE name = ?').get(SETUP_FINGERPRINT) as
      | { value: string }
      | undefined;
    return row?.value;
  } finally {
    db.close();
  }
}

/** A setup of another deployment. */
async function otherSetup(): Promise<string> {
  await opaque.ready;
  return opaque.server.createSetup();
}

describe('OPAQUE setup on SQLite', () => {
  it('is made on the first start and recorded by its public fingerprint, never the secret', async () => {
    const dataDir = tempDir();
    const t = await start({ dataDir });
    const setup = readFileSync(fileOf(dataDir), 'utf8');
    const alice = await TestAccount.create('alice');
    expect(await alice.register(t.url)).toBe(201);
    await t.stop(true);
    running.length = 0;
    expect(recorded(dataDir)).toBe(setupFingerprint(setup));
    expect(recorded(dataDir)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(readFileSync(join(dataDir, DATABASE_FILE)).includes(setup)).toBe(false);
    // The same setup starts again, and the account still logs in.
    const again = await start({ dataDir });
    expect(await alice.login(again.url)).toMatchObject({ ok: true });
  });

  it('refuses to start when the data directory lost its setup file, and makes no new one', async () => {
    const dataDir = tempDir();
    await (await start({ dataDir })).stop(true);
    running.length = 0;
    unlinkSync(fileOf(dataDir));
    const err = await startTestServer({ dataDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerSetupError);
    expect((err as Error).message).toContain(fileOf(dataDir));
    expect((err as Error).message).toContain('--opaque-setup');
    expect(existsSync(fileOf(dataDir))).toBe(false);
  });

  it("refuses to start with another deployment's setup, and starts with --opaque-setup FILE", async () => {
    const dataDir = tempDir();
    await (await start({ dataDir })).stop(true);
    running.length = 0;
    const original = readFileSync(fileOf(dataDir), 'utf8');
    writeFileSync(fileOf(dataDir), await otherSetup(), { mode: 0o600 });
    await expect(startTestServer({ dataDir })).rejects.toThrow(/is not this deployment's/);

    // The right setup, kept elsewhere and named on the command line, starts it.
    const elsewhere = join(tempDir(), 'setup');
    writeFileSync(elsewhere, original, { mode: 0o600 });
    await start({ dataDir, config: { opaqueSetupFile: elsewhere } });
    // A named file must exist: it is never made.
    const missing = join(tempDir(), 'no-such-setup');
    await expect(
      startTestServer({ dataDir: tempDir(), config: { opaqueSetupFile: missing } }),
    ).rejects.toThrow(/--opaque-setup: there is no file/);
    expect(existsSync(missing)).toBe(false);
  });

  it('records the existing setup of a store from before fingerprints, and refuses one without the file', async () => {
    const dataDir = tempDir();
    const t = await start({ dataDir });
    const alice = await TestAccount.create('alice');
    expect(await alice.register(t.url)).toBe(201);
    await t.stop(true);
    running.length = 0;
    const forget = () => {
      const db = new Database(join(dataDir, DATABASE_FILE));
      db.prepare('DELETE FROM server_info').run();
      db.close();
    };
    forget();
    const upgraded = await start({ dataDir });
    expect(await alice.login(upgraded.url)).toMatchObject({ ok: true });
    await upgraded.stop(true);
    running.length = 0;
    expect(recorded(dataDir)).toBe(setupFingerprint(readFileSync(fileOf(dataDir), 'utf8')));

    forget();
    unlinkSync(fileOf(dataDir));
    await expect(startTestServer({ dataDir })).rejects.toThrow(/holds accounts registered with one/);
    expect(existsSync(fileOf(dataDir))).toBe(false);
  });

  it('the real command line exits 1 with the reason and what to do', async () => {
    const dataDir = tempDir();
    await (await start({ dataDir })).stop(true);
    running.length = 0;
    unlinkSync(fileOf(dataDir));
    const child = spawnChild(SERVER_MAIN, ['--host', '127.0.0.1', '--port', '0', '--data', dataDir]);
    expect((await child.exited).code).toBe(1);
    const output = child.output.join('');
    expect(output).toContain('There is no OPAQUE server setup');
    expect(output).toContain('--opaque-setup FILE (SOTTO_OPAQUE_SETUP_FILE)');
  });
});

await describeWith(['postgres'], 'OPAQUE setup on PostgreSQL, two nodes on one schema', () => {
  const schemas: string[] = [];
  afterAll(async () => {
    for (const s of schemas) await dropSchema(s);
  });
  const freshStore = () => {
    const schema = testSchemaName();
    schemas.push(schema);
    return postgresUrlWithSchema(schema);
  };

  it("a second node with an empty data directory refuses; with the same setup file it serves node 1's users", async () => {
    const store = freshStore();
    const node1 = await start({ store });
    const alice = await TestAccount.create('alice');
    expect(await alice.register(node1.url)).toBe(201);

    const empty = tempDir();
    await expect(startTestServer({ store, dataDir: empty })).rejects.toThrow(ServerSetupError);
    expect(existsSync(fileOf(empty))).toBe(false);

    const node2 = await start({
      store,
      dataDir: tempDir(),
      config: { opaqueSetupFile: fileOf(node1.dataDir) },
    });
    expect(await alice.login(node2.url)).toMatchObject({ ok: true });
  });

  it('of two nodes setting up an empty store at once, one starts and the other refuses', async () => {
    const store = freshStore();
    const [a, b] = [tempDir(), tempDir()];
    const results = await Promise.allSettled([
      startTestServer({ store, dataDir: a }),
      startTestServer({ store, dataDir: b }),
    ]);
    for (const r of results) if (r.status === 'fulfilled') running.push(r.value);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused?.status === 'rejected' && refused.reason).toBeInstanceOf(ServerSetupError);
    // The loser's fresh setup is gone: only the winner's file exists.
    expect([a, b].filter((d) => existsSync(fileOf(d)))).toHaveLength(1);
  });
});
