/**
 * No command swallows waiting messages: bob writes to alice while she is offline; alice then runs `send`,
 * `contacts list` and `safety-number` (each connects, so the server hands her device the messages); still
 * `receive` shows every message exactly once, in order: `--count 2` the first two, the next receive the
 * third, a further one none of them. The same in `--json`, and `chat` shows (and takes) the waiting
 * messages of its conversation.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningServer } from '@sotto/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from './helpers/server.js';
import { jsonLines, type RunResult, runSotto, tempRoot } from './helpers/sotto.js';

const temp = tempRoot('inbox');
const root = temp.path;
const ALICE = join(root, 'alice');
const BOB = join(root, 'bob');
const PASSWORD = 'saffron kettle orbit 27 lagoon';
let server: RunningServer;

/** alice's profile is password-protected, bob's `--unattended`. */
async function ok(profile: string, args: readonly string[]): Promise<RunResult> {
  const r = await runSotto([...args, '--profile', profile], {
    env: profile === ALICE ? { SOTTO_PASSWORD: PASSWORD } : {},
  });
  if (r.code !== 0) throw new Error(`sotto ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r;
}

/** bob sends `texts` one by one while alice is offline. */
async function bobSends(texts: readonly string[]): Promise<void> {
  for (const text of texts) await ok(BOB, ['send', 'alice', text]);
}

/** alice runs the commands that connect without printing messages. */
async function aliceIsBusy(): Promise<void> {
  await ok(ALICE, ['send', 'bob', 'busy here']);
  await ok(ALICE, ['contacts', 'list']);
  await ok(ALICE, ['safety-number', 'bob', '--no-qr']);
}

/** The texts of bob's messages among `texts` that appear in human output, in order. */
function shown(stdout: string, texts: readonly string[]): string[] {
  return stdout
    .split('\n')
    .map((line) => texts.find((t) => line.endsWith(`] bob: ${t}`)))
    .filter((t): t is string => t !== undefined);
}

beforeAll(async () => {
  temp.create();
  server = await startTestServer(join(root, 'server'));
  const url = ['--server', server.url];
  const [alice, bob] = await Promise.all([
    runSotto(['register', '--name', 'alice', ...url, '--profile', ALICE], {
      env: { SOTTO_PASSWORD: PASSWORD },
    }),
    runSotto(['register', '--name', 'bob', ...url, '--profile', BOB, '--unattended'], {
      env: { SOTTO_PASSWORD: PASSWORD },
    }),
  ]);
  expect([alice.code, bob.code]).toEqual([0, 0]);
  await ok(ALICE, ['contacts', 'add', 'bob']);
  await ok(BOB, ['contacts', 'accept', 'alice']);
}, 90_000);

afterAll(async () => {
  await server?.close(500);
  rmSync(root, { recursive: true, force: true });
});

describe.sequential('messages that arrive while other commands run', () => {
  it('are each shown by exactly one receive, in order', { timeout: 120_000 }, async () => {
    const texts = ['one (offline)', 'two (offline)', 'three (offline)'];
    await bobSends(texts);
    await aliceIsBusy();
    const first = await ok(ALICE, ['receive', '--count', '2', '--timeout', '30']);
    expect(shown(first.stdout, texts)).toEqual(texts.slice(0, 2));
    const second = await ok(ALICE, ['receive', '--timeout', '3']);
    expect(shown(second.stdout, texts)).toEqual(texts.slice(2));
    const third = await ok(ALICE, ['receive', '--timeout', '3']);
    expect(shown(third.stdout, texts)).toEqual([]);
  });

  it('are each shown by exactly one receive --json, in order', { timeout: 120_000 }, async () => {
    const texts = ['four (offline)', 'five (offline)', 'six (offline)'];
    await bobSends(texts);
    await aliceIsBusy();
    const messages = (r: RunResult) =>
      jsonLines(r.stdout)
        .filter((m) => m.type === 'message' && texts.includes(String(m.text)))
        .map((m) => ({ from: m.from, direction: m.direction, text: m.text }));
    const of = (list: readonly string[]) => list.map((text) => ({ from: 'bob', direction: 'in', text }));
    const first = await ok(ALICE, ['receive', '--json', '--count', '2', '--timeout', '30']);
    expect(messages(first)).toEqual(of(texts.slice(0, 2)));
    const second = await ok(ALICE, ['receive', '--json', '--timeout', '3']);
    expect(messages(second)).toEqual(of(texts.slice(2)));
    const third = await ok(ALICE, ['receive', '--json', '--timeout', '3']);
    expect(messages(third)).toEqual([]);
  });

  it('are shown (and taken) by chat with their sender', { timeout: 120_000 }, async () => {
    const texts = ['seven (offline)'];
    await bobSends(texts);
    await aliceIsBusy();
    // No history: only what waits. Stdin is closed at once, so chat ends after showing it.
    const chat = await ok(ALICE, ['chat', 'bob', '--history', '0']);
    expect(shown(chat.stdout, texts)).toEqual(texts);
    const after = await ok(ALICE, ['receive', '--timeout', '3']);
    expect(shown(after.stdout, texts)).toEqual([]);
  });
});
