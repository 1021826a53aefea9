/**
 * `sotto` on a terminal (a pseudo-terminal from util-linux `script`): the password prompt does not echo,
 * `chat` sends typing indicators and messages typed at the prompt, which the contact sees live, and
 * `send-file` and `receive` draw a progress bar redrawn in place.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningServer } from '@sotto/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRandomFile } from './helpers/files.js';
import { startTestServer } from './helpers/server.js';
import { JsonStream, runSotto, spawnInTty, spawnSotto, Terminal, tempRoot } from './helpers/sotto.js';

const temp = tempRoot('tty');
const root = temp.path;
const PASSWORD = 'quiet lantern mosaic 19 fjord';
const CAROL = join(root, 'carol');
const DAVE = join(root, 'dave');
let server: RunningServer;
const children: Array<{ kill(): unknown }> = [];

beforeAll(async () => {
  temp.create();
  server = await startTestServer(join(root, 'server'));
});

afterAll(async () => {
  for (const c of children) c.kill();
  await server?.close(500);
  rmSync(root, { recursive: true, force: true });
});

/** util-linux `script` provides the pseudo-terminal; without it these tests cannot run (in CI they fail). */
const hasScript = spawnSync('script', ['--version']).status === 0;

describe.skipIf(!hasScript && !process.env.CI).sequential('sotto on a terminal', () => {
  it('prompts for the password twice without echoing it', { timeout: 60_000 }, async () => {
    const term = new Terminal(
      spawnInTty(['register', '--name', 'carol', '--server', server.url, '--profile', CAROL, '--unattended']),
    );
    children.push(term.child);
    await term.waitFor('Password: ');
    term.type(`${PASSWORD}\r`);
    await term.waitFor('Repeat password: ');
    term.type(`${PASSWORD}\r`);
    expect(await term.exited).toBe(0);
    expect(term.output).toContain('Registered carol');
    expect(term.output).toMatch(/\[\d\/\d\] identity key generated/);
    expect(term.output).not.toContain(PASSWORD);
  });

  it('chats: the contact sees typing and the message live', { timeout: 90_000 }, async () => {
    const env = { SOTTO_PASSWORD: PASSWORD };
    const dave = await runSotto(
      ['register', '--name', 'dave', '--server', server.url, '--profile', DAVE, '--unattended'],
      { env },
    );
    expect(dave.code).toBe(0);
    expect((await runSotto(['contacts', 'add', 'dave', '--profile', CAROL])).code).toBe(0);
    expect((await runSotto(['contacts', 'accept', 'carol', '--profile', DAVE])).code).toBe(0);

    const daveRx = new JsonStream(spawnSotto(['receive', '--typing', '--json', '--profile', DAVE]));
    children.push(daveRx.child);
    await daveRx.waitFor((r) => r.type === 'connection' && r.state === 'online');
    const chat = new Terminal(spawnInTty(['chat', 'dave', '--profile', CAROL]));
    children.push(chat.child);
    await chat.waitFor('dave> ');
    chat.type('hello from a terminal');
    await daveRx.waitFor((r) => r.type === 'typing' && r.from === 'carol' && r.typing === true);
    chat.type('\r');
    await daveRx.waitFor((r) => r.type === 'message' && r.text === 'hello from a terminal');
    await daveRx.waitFor((r) => r.type === 'typing' && r.from === 'carol' && r.typing === false);
    await chat.waitFor('me: hello from a terminal');
    await chat.waitFor('delivered by dave');
    chat.type('/quit\r');
    expect(await chat.exited).toBe(0);
    expect(await daveRx.end()).toBe(0);
  });

  it('shows a progress bar redrawn in place while sending and receiving a file', {
    timeout: 90_000,
  }, async () => {
    const path = join(root, 'scan.tiff');
    writeRandomFile(path, 24 * 1024 * 1024);
    const send = new Terminal(spawnInTty(['send-file', 'dave', path, '--profile', CAROL]));
    children.push(send.child);
    expect(await send.exited).toBe(0);
    // Each redraw returns to the line's start and erases it; the bar has percent, MiB, MiB/s and ETA.
    const bars = send.output.split('\r\u001b[K').filter((d) => d.includes('scan.tiff  ['));
    expect(bars.length).toBeGreaterThanOrEqual(2);
    for (const bar of bars) {
      expect(bar).toMatch(
        /^↑ scan\.tiff {2}\[[#.]{20}\] +\d+% {2}\d+\.\d\/24\.0 MiB {2}(--|\d+\.\d) MiB\/s {2}ETA /,
      );
    }
    expect(send.output).toMatch(/sent "scan\.tiff" \(24\.0 MiB\) to dave/);

    const receive = new Terminal(
      spawnInTty(['receive', '--count', '1', '--timeout', '60', '--profile', DAVE]),
    );
    children.push(receive.child);
    expect(await receive.exited).toBe(0);
    expect(receive.output).toContain('\r\u001b[K↓ scan.tiff  [');
    expect(receive.output).toContain(`saved to ${join(DAVE, 'files', 'scan.tiff')}`);
  });
});
