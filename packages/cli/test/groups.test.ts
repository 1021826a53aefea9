/**
 * Group chat from the terminal (issue 12, ADR 0018): the real `sotto` binary in child processes against
 * a real server in the test process. alice (two devices), bob and carol — bob and carol are not each
 * other's contacts — make a group (create, add), exchange messages both ways (`send`, `chat`,
 * `receive --json` and human lines), read `history --group`; a non-admin is refused (exit 5, the admins named); a name two groups share is
 * refused with both ids (exit 2); alice makes bob an admin and bob renames the group while alice sends
 * at the same moment (the race for the epoch never reaches either of them); a removed member gets
 * nothing sent afterwards (a file to the group, which bob saves) and cannot send; a member who leaves is removed by the others;
 * a group on the classical suite (`--classic`) takes, talks with and removes members like an X-Wing one.
 *
 * One set of users for the whole file (registration is the slow part); the steps build on each other.
 * Long-running `receive` processes are synchronised on the JSON records they print; `--timeout` is only a
 * safety net. No timing assertions.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningServer } from '@sotto/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { okIn } from './helpers/pair.js';
import { startTestServer } from './helpers/server.js';
import { JsonStream, jsonLines, type RunResult, runSotto, spawnSotto, tempRoot } from './helpers/sotto.js';

const temp = tempRoot('groups');
const root = temp.path;
const A1 = join(root, 'alice-1');
const A2 = join(root, 'alice-2');
const B = join(root, 'bob');
const C = join(root, 'carol');
const PASSWORD = 'quartz lagoon pepper 73 saddle';
const ID = /^#[0-9a-f]{32}$/;
let server: RunningServer;

/** Runs `sotto` as the device in `profile` (all are `--unattended`: no password needed). */
function as(profile: string, args: readonly string[]): Promise<RunResult> {
  return runSotto([...args, '--profile', profile]);
}

/** Like {@link as} with `input` on stdin, and expects exit 0. */
async function ok(profile: string, args: readonly string[], input?: string): Promise<RunResult> {
  if (input === undefined) return okIn(profile, args);
  const r = await runSotto([...args, '--profile', profile], { input });
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

/**
 * A long-running `sotto receive --json` of `profile`, until its stdin closes (`end()`); killed after the
 * tests if left.
 */
function receiving(profile: string): JsonStream {
  const stream = new JsonStream(spawnSotto(['receive', '--json', '--profile', profile]));
  running.add(stream);
  stream.exited.then(() => running.delete(stream));
  return stream;
}

const ofType = (records: Record<string, unknown>[], type: string) => records.filter((r) => r.type === type);
const texts = (records: Record<string, unknown>[]) => ofType(records, 'message').map((r) => r.text);

async function register(name: string, dir: string): Promise<void> {
  const r = await runSotto(
    ['register', '--name', name, '--server', server.url, '--profile', dir, '--unattended'],
    { env: { SOTTO_PASSWORD: PASSWORD } },
  );
  if (r.code !== 0) throw new Error(`register ${name}: ${r.stderr}`);
}

beforeAll(async () => {
  temp.create();
  server = await startTestServer(join(root, 'server'));
  await Promise.all([register('alice', A1), register('bob', B), register('carol', C)]);
  const login = await runSotto(
    ['login', '--name', 'alice', '--server', server.url, '--profile', A2, '--unattended'],
    { env: { SOTTO_PASSWORD: PASSWORD } },
  );
  if (login.code !== 0) throw new Error(`login: ${login.stderr}`);
  await ok(A1, ['contacts', 'add', 'bob']);
  await ok(A1, ['contacts', 'add', 'carol']);
  await Promise.all([ok(B, ['contacts', 'accept', 'alice']), ok(C, ['contacts', 'accept', 'alice'])]);
}, 240_000);

afterAll(async () => {
  for (const stream of running) stream.child.kill();
  await server?.close(500);
  rmSync(root, { recursive: true, force: true });
});

describe.sequential('groups between three sotto users', () => {
  let team = '';
  let second = '';

  it('alice creates "team" with bob and adds carol: its id, every device of every member', {
    timeout: 120_000,
  }, async () => {
    const created = one(await ok(A1, ['groups', 'create', 'team', '--member', 'bob', '--json']));
    expect(created).toMatchObject({
      type: 'group-info',
      action: 'create',
      name: 'team',
      suite: 'xwing',
      status: 'active',
      admin: true,
      admins: ['alice'],
      members: [
        { account: 'alice', devices: [1, 2], admin: true },
        { account: 'bob', devices: [1], admin: false },
      ],
    });
    team = String(created.id);
    expect(team).toMatch(ID);
    const added = one(await ok(A1, ['groups', 'add', 'team', 'carol', '--json']));
    expect(added).toMatchObject({ action: 'add', id: team, epoch: 2 });
    expect(added.members).toEqual([
      { account: 'alice', devices: [1, 2], admin: true },
      { account: 'bob', devices: [1], admin: false },
      { account: 'carol', devices: [1], admin: false },
    ]);
    const list = await ok(A1, ['groups', 'list']);
    expect(list.stdout).toBe(`${team}  team                  3 members    active  admin\n`);
  });

  it('a message from alice reaches bob, carol and her other device; bob answers by the group name', {
    timeout: 180_000,
  }, async () => {
    const sent = one(await ok(A1, ['send', '--group', 'team', 'hello team', '--json']));
    expect(sent).toMatchObject({ type: 'sent', to: team, group: { id: team, name: 'team' } });

    const atBob = jsonLines((await ok(B, ['receive', '--json', '--count', '1', '--timeout', '60'])).stdout);
    expect(ofType(atBob, 'group')).toEqual([
      { type: 'group', kind: 'joined', group: { id: team, name: 'team' }, by: 'alice' },
      { type: 'group', kind: 'members', group: { id: team, name: 'team' }, by: 'alice', added: ['carol'] },
    ]);
    expect(ofType(atBob, 'message')).toEqual([
      expect.objectContaining({
        id: sent.id,
        conversation: team,
        group: { id: team, name: 'team' },
        direction: 'in',
        from: 'alice',
        device: 1,
        text: 'hello team',
      }),
    ]);
    // The joined event comes before the group's first message.
    expect(atBob.findIndex((r) => r.type === 'group')).toBeLessThan(
      atBob.findIndex((r) => r.type === 'message'),
    );

    // bob answers in a chat of the group (piped: each line is sent, the chat ends with its input).
    const chat = jsonLines((await ok(B, ['chat', '--group', 'team', '--json'], 'hi from bob\n')).stdout);
    expect(chat.at(-1)).toMatchObject({ type: 'sent', to: team, group: { id: team, name: 'team' } });
    expect(texts(chat)).toEqual(['hello team']); // the conversation so far

    // carol is not bob's contact: the group is enough. Human lines name the group.
    const atCarol = await ok(C, ['receive', '--count', '2', '--timeout', '60']);
    expect(atCarol.stdout).toMatch(/^• \[#team\] you were added to the group by alice$/m);
    expect(atCarol.stdout).toMatch(/^\[\d\d:\d\d\] \[#team\] alice: hello team$/m);
    expect(atCarol.stdout).toMatch(/^\[\d\d:\d\d\] \[#team\] bob: hi from bob$/m);

    const [atAlice2, atAlice1] = await Promise.all([
      ok(A2, ['receive', '--json', '--count', '2', '--timeout', '60']),
      ok(A1, ['receive', '--json', '--count', '1', '--timeout', '60']),
    ]);
    const second2 = ofType(jsonLines(atAlice2.stdout), 'message');
    expect(second2.map((m) => [m.text, m.direction, m.from, m.device])).toEqual([
      ['hello team', 'out', 'alice', 1],
      ['hi from bob', 'in', 'bob', 1],
    ]);
    expect(ofType(jsonLines(atAlice1.stdout), 'message')).toEqual([
      expect.objectContaining({ text: 'hi from bob', from: 'bob', group: { id: team, name: 'team' } }),
    ]);
  });

  it('history --group shows the conversation, by name or by id', { timeout: 60_000 }, async () => {
    const byName = await ok(B, ['history', '--group', 'team']);
    expect(byName.stdout).toMatch(
      /^\[\d\d:\d\d\] \[#team\] alice: hello team\n\[\d\d:\d\d\] \[#team\] me: hi from bob {2}\((sent|delivered|read)\)\n$/,
    );
    const byId = jsonLines((await ok(C, ['history', team, '--json'])).stdout);
    expect(byId.map((m) => [m.text, m.from, m.conversation, m.group])).toEqual([
      ['hello team', 'alice', team, { id: team, name: 'team' }],
      ['hi from bob', 'bob', team, { id: team, name: 'team' }],
    ]);
  });

  it('a member who is not an admin cannot rename or remove: exit 5, the admins named', {
    timeout: 60_000,
  }, async () => {
    const [rename, remove] = [
      await as(B, ['groups', 'rename', 'team', 'bobs team']),
      await as(B, ['groups', 'remove', 'team', 'carol']),
    ];
    expect(rename.code).toBe(5);
    expect(rename.stderr).toBe(
      'sotto: only an admin of #team may rename it (its admins: alice); nothing was changed [NOT_GROUP_ADMIN]\n',
    );
    expect(remove.code).toBe(5);
    expect(remove.stderr).toMatch(/only an admin of #team may remove members .*\[NOT_GROUP_ADMIN\]\n$/);
    // Nothing changed.
    const shown = await ok(B, ['groups', 'show', 'team']);
    expect(shown.stdout).toBe(
      [
        `${team}  team`,
        '  status   active',
        '  suite    xwing (post-quantum hybrid: X-Wing, AES-256-GCM, Ed25519)',
        '  epoch    2',
        '  admins   alice',
        '  members  3',
        '    alice  devices 1, 2  admin',
        '    bob    device 1',
        '    carol  device 1',
        '',
      ].join('\n'),
    );
  });

  it('a name two groups share is refused with both ids (exit 2); messages show the short id', {
    timeout: 120_000,
  }, async () => {
    const created = one(await ok(A1, ['groups', 'create', 'team', '--member', 'bob', '--json']));
    second = String(created.id);
    const ambiguous = await as(A1, ['send', '--group', 'team', 'which one?']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/^sotto send: "team" names 2 groups: .*\[GROUP_AMBIGUOUS\]\n$/);
    expect(ambiguous.stderr).toContain(team);
    expect(ambiguous.stderr).toContain(second);
    const unknown = await as(A1, ['groups', 'show', `#${'0'.repeat(32)}`]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/\[GROUP_NOT_FOUND\]\n$/);

    // By the id without its '#'.
    await ok(A1, ['send', '--group', second.slice(1), 'the other team']);
    const atBob = await ok(B, ['receive', '--count', '1', '--timeout', '60']);
    const short = second.slice(1, 9);
    expect(atBob.stdout).toMatch(
      new RegExp(`^• \\[#team ~${short}\\] you were added to the group by alice$`, 'm'),
    );
    expect(atBob.stdout).toMatch(
      new RegExp(`^\\[\\d\\d:\\d\\d\\] \\[#team ~${short}\\] alice: the other team$`, 'm'),
    );
  });

  it('bob, made an admin, renames the group while alice sends: both succeed', {
    timeout: 120_000,
  }, async () => {
    const admin = one(await ok(A1, ['groups', 'admin', team, 'bob', '--json']));
    expect(admin).toMatchObject({ action: 'admin', admins: ['alice', 'bob'] });
    // bob has not received the change yet; both commands race for the same epoch.
    const [renamed, sent] = await Promise.all([
      as(B, ['groups', 'rename', team, 'crew', '--json']),
      as(A1, ['send', '--group', team, 'racing the rename', '--json']),
    ]);
    expect(renamed.stderr).toBe('');
    expect(renamed.code).toBe(0);
    expect(one(renamed)).toMatchObject({
      action: 'rename',
      id: team,
      name: 'crew',
      admins: ['alice', 'bob'],
    });
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);

    const stream = receiving(C);
    const renamedAtCarol = await stream.waitFor((r) => r.type === 'group' && r.kind === 'renamed');
    expect(renamedAtCarol).toEqual({
      type: 'group',
      kind: 'renamed',
      group: { id: team, name: 'crew' },
      by: 'bob',
    });
    const racing = await stream.waitFor((r) => r.type === 'message' && r.text === 'racing the rename');
    expect(racing).toMatchObject({ from: 'alice', group: { id: team } });
    expect(await stream.end()).toBe(0);
    expect(ofType(stream.records, 'error')).toEqual([]);
    expect(ofType(stream.records, 'group')).toContainEqual({
      type: 'group',
      kind: 'admins',
      group: { id: team, name: expect.any(String) },
      by: 'alice',
      admins: ['alice', 'bob'],
    });

    // alice has not received bob's rename: her store still says "team" (two of them), so she names the
    // group by its id; her change catches up with bob's first.
    const revoked = one(await ok(A1, ['groups', 'admin', team, 'bob', '--revoke', '--json']));
    expect(revoked).toMatchObject({ name: 'crew', admins: ['alice'] });
  });

  it('a removed member receives nothing sent afterwards, and cannot send', { timeout: 180_000 }, async () => {
    const removed = one(await ok(A1, ['groups', 'remove', 'crew', 'carol', '--json']));
    expect((removed.members as Array<{ account: string }>).map((m) => m.account)).toEqual(['alice', 'bob']);
    const notes = join(root, 'notes.txt');
    writeFileSync(notes, 'minutes of the crew meeting\n'.repeat(100));
    const upload = ['send-file', '--group', 'crew', notes, '--caption', 'carol cannot read this', '--json'];
    const file = jsonLines((await ok(A1, upload)).stdout).at(-1);
    expect(file).toMatchObject({
      type: 'sent',
      to: team,
      group: { id: team, name: 'crew' },
      file: { name: 'notes.txt', size: 2800 },
    });
    // A 1:1 message after it: once carol has it, anything of the group before it was handled too.
    await ok(A1, ['send', 'carol', 'a word in private']);
    const [bobGot, carolGot] = await Promise.all([
      // bob's rename connected while alice's "racing the rename" came: it waits in his inbox.
      ok(B, ['receive', '--json', '--count', '2', '--timeout', '60']),
      ok(C, ['receive', '--json', '--count', '1', '--timeout', '60']),
    ]);
    const atBob = ofType(jsonLines(bobGot.stdout), 'message');
    expect(texts(atBob)).toEqual(['racing the rename', 'carol cannot read this']);
    const savedTo = join(B, 'files', 'notes.txt');
    expect(atBob[1]).toMatchObject({
      group: { id: team, name: 'crew' },
      file: { state: 'downloaded', savedTo },
    });
    expect(readFileSync(savedTo, 'utf8')).toBe(readFileSync(notes, 'utf8'));
    const atCarol = jsonLines(carolGot.stdout);
    expect(texts(atCarol)).toEqual(['a word in private']);
    expect(ofType(atCarol, 'group')).toContainEqual({
      type: 'group',
      kind: 'removed',
      group: { id: team, name: 'crew' },
      by: 'alice',
    });
    expect(ofType(atCarol, 'error')).toEqual([]);

    const send = await as(C, ['send', '--group', team, 'still here?']);
    expect(send.code).toBe(5);
    expect(send.stderr).toMatch(/^sotto: you were removed from #crew: .*\[NOT_A_GROUP_MEMBER\]\n$/);
    const list = one(await ok(C, ['groups', 'list', '--json']));
    expect(list.groups).toEqual([expect.objectContaining({ id: team, status: 'removed', admin: false })]);
    // Her history of the group stays.
    expect(texts(jsonLines((await ok(C, ['history', '--group', team, '--json'])).stdout))).toEqual([
      'hello team',
      'hi from bob',
      'racing the rename',
    ]);
  });

  it('a member who leaves is removed by the others; the group shows as left', {
    timeout: 180_000,
  }, async () => {
    const left = one(await ok(B, ['groups', 'leave', team, '--json']));
    expect(left).toMatchObject({ action: 'leave', id: team, status: 'left', admin: false });
    const send = await as(B, ['send', '--group', team, 'one more?']);
    expect(send.code).toBe(5);
    expect(send.stderr).toMatch(/^sotto: you left #crew: .*\[NOT_A_GROUP_MEMBER\]\n$/);

    // alice's first device (the oldest member that stays) commits bob's removal when it sees his proposal.
    const stream = receiving(A1);
    const gone = await stream.waitFor((r) => r.type === 'group' && r.kind === 'members');
    expect(gone).toEqual({
      type: 'group',
      kind: 'members',
      group: { id: team, name: 'crew' },
      by: 'alice',
      removed: ['bob'],
    });
    expect(await stream.end()).toBe(0);
    const shown = one(await ok(A1, ['groups', 'show', 'crew', '--json']));
    expect(shown.members).toEqual([{ account: 'alice', devices: [1, 2], admin: true }]);
  });

  it('--classic makes a group on the classical suite (X25519): members join, talk, are added and removed', {
    timeout: 240_000,
  }, async () => {
    const created = await as(A1, ['groups', 'create', 'classic', '--member', 'carol', '--classic', '--json']);
    expect(created.stderr).toBe('');
    const info = one(created);
    expect(info).toMatchObject({
      name: 'classic',
      suite: 'classic',
      members: [
        { account: 'alice', devices: [1, 2] },
        { account: 'carol', devices: [1] },
      ],
    });
    const id = String(info.id);
    expect(id).toMatch(ID);

    await ok(A1, ['send', '--group', id, 'hello classic']);
    const atCarol = jsonLines((await ok(C, ['receive', '--json', '--count', '1', '--timeout', '60'])).stdout);
    expect(ofType(atCarol, 'group')).toContainEqual(
      expect.objectContaining({ kind: 'joined', group: { id, name: 'classic' }, by: 'alice' }),
    );
    expect(texts(atCarol)).toEqual(['hello classic']);
    await ok(C, ['send', '--group', id, 'hi from carol, classically']);
    const atAlice = jsonLines(
      (await ok(A1, ['receive', '--json', '--count', '1', '--timeout', '60'])).stdout,
    );
    expect(texts(atAlice)).toEqual(['hi from carol, classically']);

    // bob joins through a classic KeyPackage; carol is removed.
    const added = one(await ok(A1, ['groups', 'add', id, 'bob', '--json']));
    const byAccount = (members: unknown) =>
      [...(members as { account: string }[])].sort((a, b) => a.account.localeCompare(b.account));
    expect(byAccount(added.members)).toEqual([
      { account: 'alice', devices: [1, 2], admin: true },
      { account: 'bob', devices: [1], admin: false },
      { account: 'carol', devices: [1], admin: false },
    ]);
    const removed = one(await ok(A1, ['groups', 'remove', id, 'carol', '--json']));
    expect(removed).toMatchObject({ suite: 'classic' });
    expect(removed.members).toEqual([
      { account: 'alice', devices: [1, 2], admin: true },
      { account: 'bob', devices: [1], admin: false },
    ]);
    await ok(A1, ['send', '--group', id, 'without carol']);
    const atBob = jsonLines((await ok(B, ['receive', '--json', '--count', '1', '--timeout', '60'])).stdout);
    expect(texts(atBob)).toEqual(['without carol']);
    const atCarolAfter = jsonLines((await ok(C, ['receive', '--json', '--timeout', '5'])).stdout);
    expect(ofType(atCarolAfter, 'group')).toContainEqual(
      expect.objectContaining({ kind: 'removed', group: { id, name: 'classic' } }),
    );
    expect(texts(atCarolAfter)).toEqual([]);
  });
});
