/**
 * bob sends alice a message full of terminal escape sequences, C1 controls, DEL, bidi overrides and a
 * line break followed by a forged message line, and sets a status text with bidi overrides. Whatever alice runs —
 * `receive`, `history`, `chat`, `contacts list` — her terminal gets no raw control or bidi character and no
 * forged line; `--json` carries the exact text with those characters escaped.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningServer } from '@sotto/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from './helpers/server.js';
import {
  JsonStream,
  jsonLines,
  type RunResult,
  runSotto,
  spawnSotto,
  Terminal,
  tempRoot,
} from './helpers/sotto.js';

const temp = tempRoot('hostile');
const root = temp.path;
const ALICE = join(root, 'alice');
const BOB = join(root, 'bob');
const BOB_2 = join(root, 'bob-2');
const PASSWORD = 'copper falcon meadow 61 prism';
let server: RunningServer;
const children: Array<{ child: { kill(): unknown } }> = [];

/** Every character that must never reach alice's terminal raw (line breaks aside). */
const RAW =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const HOSTILE =
  'look\u001b[2J\u001b]0;pwned\u0007 \u009b31mred\u001b[0m \u202eevil\u202c \u2066iso\u2069\b\u007f' +
  '\n[12:00] carol: forged line\rover';
/** The server refuses control characters in a status text (C0, DEL, C1), but bidi controls pass. */
const STATUS = 'brb \u202e!olleh\u202c \u2066iso\u2069\u200f';
const ESCAPED_STATUS = 'brb \\u202e!olleh\\u202c \\u2066iso\\u2069\\u200f';

async function ok(profile: string, args: readonly string[]): Promise<RunResult> {
  const r = await runSotto([...args, '--profile', profile]);
  if (r.code !== 0) throw new Error(`sotto ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r;
}

/** alice's human output: nothing raw, no forged line, and the escapes visible. */
function expectHarmless(r: RunResult): void {
  expect(r.stdout).not.toMatch(RAW);
  expect(r.stderr).not.toMatch(RAW);
  expect(r.stdout).not.toMatch(/^\[12:00\] carol/m);
  expect(r.stdout).toContain('look\\x1b[2J\\x1b]0;pwned\\x07 \\x9b31mred');
  expect(r.stdout).toContain('\\u202eevil\\u202c');
  expect(r.stdout).toMatch(/^ +\[12:00\] carol: forged line\\rover/m);
}

/** alice's JSON output: the exact text, with nothing raw on the wire. */
function expectExactJson(r: RunResult): void {
  expect(r.stdout).not.toMatch(RAW);
  const texts = jsonLines(r.stdout)
    .filter((m) => m.type === 'message')
    .map((m) => m.text);
  expect(texts).toEqual([HOSTILE]);
}

beforeAll(async () => {
  temp.create();
  server = await startTestServer(join(root, 'server'));
});

afterAll(async () => {
  for (const c of children) c.child.kill();
  await server?.close(500);
  rmSync(root, { recursive: true, force: true });
});

describe.sequential('a message and a status made to attack the terminal', () => {
  it('reaches alice escaped in receive, history and chat', { timeout: 120_000 }, async () => {
    const env = { env: { SOTTO_PASSWORD: PASSWORD } };
    const reg = (name: string, profile: string) =>
      runSotto(
        ['register', '--name', name, '--server', server.url, '--profile', profile, '--unattended'],
        env,
      );
    expect((await Promise.all([reg('alice', ALICE), reg('bob', BOB)])).map((r) => r.code)).toEqual([0, 0]);
    await ok(ALICE, ['contacts', 'add', 'bob']);
    await ok(BOB, ['contacts', 'accept', 'alice']);
    await ok(BOB, ['send', 'alice', HOSTILE]);

    const received = await ok(ALICE, ['receive', '--count', '1', '--timeout', '60']);
    expectHarmless(received);
    // One process per profile at a time: alice's runs are sequential.
    expectHarmless(await ok(ALICE, ['history', 'bob']));
    expectExactJson(await ok(ALICE, ['history', 'bob', '--json']));
    const chat = await ok(ALICE, ['chat', 'bob']);
    expectHarmless(chat);
    expectExactJson(await ok(ALICE, ['chat', 'bob', '--json']));
  });

  it("shows bob's status text escaped, live and in the contact list", { timeout: 90_000 }, async () => {
    // A status text lives while one of bob's devices is connected: a second device stays connected.
    const login = await runSotto(
      ['login', '--name', 'bob', '--server', server.url, '--profile', BOB_2, '--unattended'],
      { env: { SOTTO_PASSWORD: PASSWORD } },
    );
    expect(login.code).toBe(0);
    const bob2 = new JsonStream(spawnSotto(['receive', '--json', '--profile', BOB_2]));
    children.push(bob2);
    await bob2.waitFor((r) => r.type === 'connection' && r.state === 'online');
    try {
      const live = new Terminal(spawnSotto(['receive', '--timeout', '60', '--profile', ALICE]));
      children.push(live);
      await live.waitFor('receiving…');
      await ok(BOB, ['status', 'away', STATUS]);
      await live.waitFor(`• bob is away "${ESCAPED_STATUS}"\n`);
      live.child.kill('SIGTERM');
      expect(await live.exited).toBe(0);
      expect(live.output).not.toMatch(RAW);

      const list = await ok(ALICE, ['contacts', 'list']);
      expect(list.stdout).not.toMatch(RAW);
      expect(list.stdout).toMatch(new RegExp(`^bob +accepted +away "${escapeRegExp(ESCAPED_STATUS)}"$`, 'm'));
      const json = await ok(ALICE, ['contacts', 'list', '--json']);
      expect(json.stdout).not.toMatch(RAW);
      expect(jsonLines(json.stdout)[0]?.contacts).toEqual([
        expect.objectContaining({ name: 'bob', presence: { state: 'away', text: STATUS } }),
      ]);
    } finally {
      expect(await bob2.end()).toBe(0);
    }
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
