/**
 * End to end: the real `sotto` binary in child processes against a real server (started in-process on an
 * ephemeral port, SQLite in a temp directory). alice (two devices) and bob register, become contacts, see
 * each other's presence, exchange messages online and offline; both of alice's devices end up with the whole
 * conversation, receipts arrive, safety numbers match, and the server's files never contain a message text.
 *
 * No timing assertions: long-running `receive`/`chat` processes are synchronised on the JSON records they
 * print; `--timeout` is only a safety net that ends a stuck process.
 */
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningServer } from '@sotto/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from './helpers/server.js';
import { JsonStream, jsonLines, type RunResult, runSotto, spawnSotto, tempRoot } from './helpers/sotto.js';

const temp = tempRoot('e2e');
const root = temp.path;
const dataDir = join(root, 'server');
const passwordFile = join(root, 'password');
const wrongPasswordFile = join(root, 'wrong');
const PASSWORD = 'violet tangerine kayak 42 orbit';
const A1 = join(root, 'alice-1');
const A2 = join(root, 'alice-2');
const B = join(root, 'bob');

const TEXTS = {
  online: 'hello bob, are you there? (online)',
  reply: 'hi alice, right here (online)',
  offline: 'bob, read this when you are back (offline)',
};

let server: RunningServer;

/** bob's profile is `--unattended` (storage key in a key file): his commands need no password. */
function credentials(profile: string): string[] {
  return profile === B ? [] : ['--password-file', passwordFile];
}

/** Runs `sotto` as the device in `profile` and expects success. */
async function as(profile: string, args: readonly string[]): Promise<RunResult> {
  const r = await runSotto([...args, '--profile', profile, ...credentials(profile)]);
  if (r.code !== 0) throw new Error(`sotto ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r;
}

/** The one JSON object a non-streaming `--json` command prints. */
function one(r: RunResult): Record<string, unknown> {
  const lines = jsonLines(r.stdout);
  expect(lines).toHaveLength(1);
  return lines[0] ?? {};
}

const running = new Set<JsonStream>();

/** Starts a long-running `sotto` for `profile` whose output is JSON lines (killed after the tests if left). */
function live(profile: string, args: readonly string[]): JsonStream {
  const stream = new JsonStream(
    spawnSotto([...args, '--json', '--profile', profile, ...credentials(profile)]),
  );
  running.add(stream);
  stream.exited.then(() => running.delete(stream));
  return stream;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const texts = (records: Record<string, unknown>[]) =>
  records.filter((r) => r.type === 'message').map((r) => r.text);

beforeAll(async () => {
  temp.create();
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  writeFileSync(wrongPasswordFile, 'not the password at all 7\n', { mode: 0o600 });
  server = await startTestServer(dataDir);
});

afterAll(async () => {
  for (const stream of running) stream.child.kill();
  await server?.close(500);
  rmSync(root, { recursive: true, force: true });
});

describe.sequential('sotto end to end', () => {
  let helloId = '';

  it('registers alice and bob, and logs alice in on a second device', { timeout: 90_000 }, async () => {
    const url = ['--server', server.url, '--json'];
    const [alice, bob] = await Promise.all([
      as(A1, ['register', '--name', 'alice', ...url]),
      runSotto(['register', '--name', 'bob', ...url, '--profile', B, '--unattended'], {
        env: { SOTTO_PASSWORD: PASSWORD },
      }),
    ]);
    expect(one(alice)).toMatchObject({ type: 'registered', account: 'alice', server: server.url });
    expect(bob.code).toBe(0);
    expect(one(bob)).toMatchObject({ type: 'registered', account: 'bob' });
    const second = one(await as(A2, ['login', '--name', 'alice', ...url]));
    expect(second).toMatchObject({ type: 'logged-in', account: 'alice' });
    expect(second.deviceId).not.toBe(one(alice).deviceId);
    // The profile remembers the server: no --server from here on.
    const me = one(await as(A2, ['whoami', '--json']));
    expect(me).toMatchObject({ account: 'alice', deviceId: second.deviceId, server: server.url });
  });

  it('gives the auth code for a wrong password and the network code for a dead server', {
    timeout: 60_000,
  }, async () => {
    const wrong = ['--password-file', wrongPasswordFile];
    const [login, profile, network] = await Promise.all([
      runSotto(['login', '--name', 'alice', '--server', server.url, '--profile', join(root, 'x'), ...wrong]),
      runSotto(['whoami', '--profile', A1, ...wrong]),
      runSotto(['contacts', 'list', '--profile', B, '--server', 'http://127.0.0.1:9']),
    ]);
    expect(login.code).toBe(3);
    expect(login.stdout).toBe('');
    expect(login.stderr).toMatch(/^sotto: .*\[LOGIN_FAILED\]\n$/);
    expect(login.stderr).not.toContain('not the password');
    // alice's profile is encrypted at rest under her password.
    expect(profile.code).toBe(3);
    expect(profile.stderr).toMatch(/^sotto: .*\[STORAGE_WRONG_KEY\]\n$/);
    expect(network.code).toBe(4);
    expect(network.stderr).toMatch(/^sotto: .*\[NETWORK\]\n$/);
  });

  it('refuses an over-long message with exit 2, before connecting', { timeout: 60_000 }, async () => {
    const long = 'x'.repeat(17_000);
    const [asArgument, fromStdin] = await Promise.all([
      // The server given here is down: a usage error must come before any attempt to reach it.
      runSotto([
        'send',
        'bob',
        long,
        '--profile',
        A1,
        '--password-file',
        passwordFile,
        '--server',
        'http://127.0.0.1:9',
      ]),
      runSotto(['send', 'alice', '-', '--profile', B], { input: `${long}\n` }),
    ]);
    for (const r of [asArgument, fromStdin]) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        /^sotto send: the message is too long: 17000 characters, at most 16000 \[USAGE\]\n$/,
      );
    }
  });

  it('makes alice and bob contacts', { timeout: 60_000 }, async () => {
    expect(one(await as(A1, ['contacts', 'add', 'bob', '--json']))).toEqual({
      type: 'contact',
      action: 'add',
      name: 'bob',
    });
    const pending = one(await as(B, ['contacts', 'list', '--json']));
    expect(pending.contacts).toEqual([expect.objectContaining({ name: 'alice', state: 'incoming' })]);
    await as(B, ['contacts', 'accept', 'alice']);
    const accepted = one(await as(A2, ['contacts', 'list', '--json']));
    expect(accepted.contacts).toEqual([expect.objectContaining({ name: 'bob', state: 'accepted' })]);
  });

  it("shows presence, messages on both of alice's devices, and receipts while online", {
    timeout: 120_000,
  }, async () => {
    // Without --timeout, receive ends when its stdin closes (aliceRx.end()).
    const aliceRx = live(A2, ['receive']);
    await aliceRx.waitFor((r) => r.type === 'connection' && r.state === 'online');
    const bobChat = live(B, ['chat', 'alice']);
    await bobChat.waitFor((r) => r.type === 'connection' && r.state === 'online');
    try {
      await bobChat.waitFor((r) => r.type === 'presence' && r.from === 'alice' && r.state === 'online');
      // A profile is used by one process at a time.
      const busy = await runSotto(['whoami', '--profile', A2, '--password-file', passwordFile]);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(/in use by another sotto \(pid \d+\).*\[PROFILE_IN_USE\]\n$/);
      await aliceRx.waitFor((r) => r.type === 'presence' && r.from === 'bob' && r.state === 'online');

      await as(A1, ['status', 'busy', 'in a meeting']);
      await bobChat.waitFor(
        (r) => r.type === 'presence' && r.from === 'alice' && r.state === 'busy' && r.text === 'in a meeting',
      );

      const sent = one(await as(A1, ['send', 'bob', TEXTS.online, '--json']));
      expect(sent).toMatchObject({ type: 'sent', to: 'bob' });
      helloId = String(sent.id);
      const atBob = await bobChat.waitFor((r) => r.type === 'message' && r.text === TEXTS.online);
      expect(atBob).toMatchObject({ from: 'alice', direction: 'in', id: helloId });
      expect(typeof atBob.device).toBe('number');
      expect(typeof atBob.sentAt).toBe('number');
      // alice's other device shows her own message too, and the receipt bob's device sent.
      await aliceRx.waitFor((r) => r.type === 'message' && r.text === TEXTS.online && r.direction === 'out');
      await aliceRx.waitFor(
        (r) => r.type === 'receipt' && r.from === 'bob' && (r.messageIds as unknown[]).includes(helloId),
      );

      bobChat.child.stdin.write(`${TEXTS.reply}\n`);
      await bobChat.waitFor((r) => r.type === 'sent' && r.to === 'alice');
      const reply = await aliceRx.waitFor((r) => r.type === 'message' && r.text === TEXTS.reply);
      expect(reply).toMatchObject({ from: 'bob', direction: 'in', conversation: 'bob' });
    } finally {
      expect(await bobChat.end()).toBe(0);
      expect(await aliceRx.end()).toBe(0);
    }
  });

  it('delivers messages sent while the recipient was offline', { timeout: 120_000 }, async () => {
    // alice-1 was offline when bob replied; its first receive gets that reply.
    const a1 = jsonLines((await as(A1, ['receive', '--json', '--count', '1', '--timeout', '60'])).stdout);
    expect(texts(a1)).toEqual([TEXTS.reply]);
    // bob is offline now.
    await as(A1, ['send', 'bob', TEXTS.offline]);
    const [atBob, atA2] = await Promise.all([
      as(B, ['receive', '--json', '--count', '1', '--timeout', '60']),
      as(A2, ['receive', '--json', '--count', '1', '--timeout', '60']),
    ]);
    const bobGot = jsonLines(atBob.stdout);
    expect(texts(bobGot)).toEqual([TEXTS.offline]);
    expect(bobGot.find((r) => r.type === 'message')).toMatchObject({ from: 'alice', direction: 'in' });
    expect(texts(jsonLines(atA2.stdout))).toEqual([TEXTS.offline]);
  });

  it('keeps the whole conversation on every device, with receipts', { timeout: 60_000 }, async () => {
    const [h1, h2, hb] = await Promise.all([
      as(A1, ['history', 'bob', '--json']),
      as(A2, ['history', 'bob', '--json']),
      as(B, ['history', 'alice', '--json']),
    ]);
    const whole = [TEXTS.online, TEXTS.reply, TEXTS.offline];
    expect(texts(jsonLines(h1.stdout))).toEqual(whole);
    expect(texts(jsonLines(h2.stdout))).toEqual(whole);
    expect(texts(jsonLines(hb.stdout))).toEqual(whole);
    const hello = jsonLines(h1.stdout).find((r) => r.id === helloId);
    expect(['delivered', 'read']).toContain(hello?.status);
  });

  it('shows equal safety numbers on both sides, and marks bob verified', { timeout: 60_000 }, async () => {
    // One process per profile at a time: bob's two runs are sequential.
    const [s1, s2, sb] = await Promise.all([
      as(A1, ['safety-number', 'bob', '--json']),
      as(A2, ['safety-number', 'bob', '--json']),
      as(B, ['safety-number', 'alice', '--json']),
    ]);
    const human = await as(B, ['safety-number', 'alice']);
    const digits = one(s1).digits;
    expect(digits).toMatch(/^\d{60}$/);
    expect(one(s2).digits).toBe(digits);
    expect(one(sb).digits).toBe(digits);
    expect(human.stdout).toContain(String(digits).slice(0, 5));
    expect(human.stdout).toMatch(/[▀▄█]/);
    expect(one(await as(A1, ['verify', 'bob', '--json']))).toEqual({ type: 'verified', name: 'bob' });
    const list = one(await as(A1, ['contacts', 'list', '--json']));
    expect(list.contacts).toEqual([expect.objectContaining({ name: 'bob', verified: true })]);
  });

  it("lists both of alice's devices, and revokes one", { timeout: 60_000 }, async () => {
    const devices = one(await as(A1, ['devices', 'list', '--json'])).devices as Array<{
      deviceId: number;
      current: boolean;
    }>;
    expect(devices).toHaveLength(2);
    const other = devices.find((d) => !d.current);
    expect(other).toBeDefined();
    const id = String(other?.deviceId);
    expect(one(await as(A1, ['devices', 'revoke', id, '--json']))).toEqual({
      type: 'revoked',
      deviceId: Number(id),
    });
    const [after, revoked] = await Promise.all([
      as(A1, ['devices', 'list', '--json']),
      runSotto(['contacts', 'list', '--profile', A2, '--password-file', passwordFile]),
    ]);
    expect(one(after).devices).toHaveLength(1);
    // The server refuses the revoked device's key: an auth failure (exit 3), not a network error.
    expect(revoked.code).toBe(3);
    expect(revoked.stderr).toMatch(/^sotto: .*\[(AUTH_CHALLENGE_FAILED|DEVICE_NOT_FOUND)\]\n$/);
  });

  it('exits 5 when the server refuses: blocked, or not a contact', { timeout: 60_000 }, async () => {
    await as(B, ['contacts', 'block', 'alice']);
    const [blocked, stranger] = await Promise.all([
      runSotto(['send', 'bob', 'are you there?', '--profile', A1, '--password-file', passwordFile]),
      runSotto(['send', 'nobody', 'hello?', '--profile', B]),
    ]);
    expect(blocked.code).toBe(5);
    expect(blocked.stderr).toMatch(/\[BLOCKED\]\n$/);
    expect(stranger.code).toBe(5);
    expect(stranger.stderr).toMatch(/^sotto: .*\[[A-Z_]+\]\n$/);
  });

  it("never stores a message text in the server's data directory", () => {
    const files = filesUnder(dataDir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const text of Object.values(TEXTS)) expect(bytes.includes(Buffer.from(text, 'utf8'))).toBe(false);
    }
  });
});
