/**
 * The SDK against a server whose operator decides who registers and who may stay: `register({ invite })`
 * on a `token` server, the stable codes when that is refused, and an account disabled while its client is
 * connected (the client is told ACCOUNT_DISABLED, and comes back once the operator enables it).
 */
import { runAdmin } from '@sotto/server';
import { afterEach, describe, expect, it } from 'vitest';
import { SottoError } from '../src/index.js';
import { client, next, STRONG, startTestServer, type TestServer } from './helpers/world.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function serve(registration: 'open' | 'token' | 'closed'): Promise<TestServer> {
  const t = await startTestServer({ registration, operatorPollMs: 100 });
  servers.push(t);
  return t;
}

/** Runs `sotto-server admin ARGS --json` on `t`'s database; returns the parsed output. */
async function admin<T>(t: TestServer, ...args: string[]): Promise<T> {
  let out = '';
  let err = '';
  const code = await runAdmin(
    ['--data', t.dataDir, ...args, '--json'],
    {},
    {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
    },
  );
  if (code !== 0) throw new Error(`admin ${args.join(' ')}: ${err}`);
  return JSON.parse(out) as T;
}

const codeOf = (err: unknown) => (SottoError.is(err) ? err.code : String(err));

describe('the SDK and the operator', () => {
  it('registers with an invite on a token server; without one, or with a used one, INVITE_INVALID', async () => {
    const t = await serve('token');
    const { token } = await admin<{ token: string }>(t, 'tokens', 'create');
    const without = client(t.url);
    expect(codeOf(await without.register({ name: 'alice', password: STRONG }).catch((e) => e))).toBe(
      'INVITE_INVALID',
    );
    // Not even the shape of an invite: refused before anything is generated or sent.
    const garbled = client(t.url);
    const bad = await garbled
      .register({ name: 'alice', password: STRONG, invite: 'no good' })
      .catch((e) => e);
    expect(codeOf(bad)).toBe('INVALID_ARGUMENT');
    const alice = client(t.url);
    const r = await alice.register({ name: 'alice', password: STRONG, invite: `  ${token}\n` });
    expect(r.account).toBe('alice');
    const bob = client(t.url);
    expect(codeOf(await bob.register({ name: 'bob', password: STRONG, invite: token }).catch((e) => e))).toBe(
      'INVITE_INVALID',
    );
    // The refused profiles hold nothing: they may register once the operator sends an invite.
    expect(await without.isRegistered()).toBe(false);
    for (const c of [without, garbled, alice, bob]) await c.close();
  });

  it('gets REGISTRATION_CLOSED from a closed server', async () => {
    const t = await serve('closed');
    const c = client(t.url);
    expect(codeOf(await c.register({ name: 'alice', password: STRONG }).catch((e) => e))).toBe(
      'REGISTRATION_CLOSED',
    );
    await c.close();
  });

  it('is told ACCOUNT_DISABLED when the operator disables the account, and is back once enabled', async () => {
    const t = await serve('open');
    const alice = client(t.url);
    await alice.register({ name: 'alice', password: STRONG });
    const told = next(alice, 'error', (e) => e.code === 'ACCOUNT_DISABLED');
    await admin(t, 'users', 'disable', 'alice');
    await told;
    const other = client(t.url);
    expect(codeOf(await other.login({ name: 'alice', password: STRONG }).catch((e) => e))).toBe(
      'ACCOUNT_DISABLED',
    );
    const back = next(alice, 'connection', (e) => e.state === 'online');
    await admin(t, 'users', 'enable', 'alice');
    await back;
    await alice.close();
    await other.close();
  });
});
