import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileFromBytes, memorySink, type SottoClient } from '../src/index.js';
import { type FilesWorld, startFilesWorld } from './helpers/files-world.js';
import { client, collect, next, STRONG } from './helpers/world.js';

let w: FilesWorld;
const clients: SottoClient[] = [];
beforeEach(async () => {
  w = await startFilesWorld();
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await w.stop();
});

async function pair(): Promise<{ alice: SottoClient; bob: SottoClient }> {
  const alice = client(w.url);
  const bob = client(w.url);
  clients.push(alice, bob);
  await alice.register({ name: 'alice', password: STRONG });
  await bob.register({ name: 'bob', password: STRONG });
  const accepted = next(alice, 'contact-event', (e) => e.state === 'accepted');
  const requested = next(bob, 'contact-request');
  await alice.requestContact('bob');
  await requested;
  await bob.acceptContact('alice');
  await accepted;
  return { alice, bob };
}

describe('files (basic)', () => {
  it('sends a file and the recipient downloads it', async () => {
    const { alice, bob } = await pair();
    const bytes = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff);
    const got = next(bob, 'message');
    const up = collect(alice, 'file-progress');
    const r = await alice.sendFile('bob', fileFromBytes(bytes, 'photo.jpg', 'image/jpeg'), { caption: 'hi' });
    expect(r.queued).toBe(false);
    const m = await got;
    expect(m.file).toMatchObject({
      name: 'photo.jpg',
      mediaType: 'image/jpeg',
      size: 300_000,
      state: 'available',
    });
    expect(m.text).toBe('hi');
    const sink = memorySink();
    const down = collect(bob, 'file-progress');
    await bob.downloadFile(m.id, sink);
    expect(Buffer.from(sink.bytes()).equals(bytes)).toBe(true);
    expect(up.at(-1)).toMatchObject({ direction: 'up', bytes: 300_000, total: 300_000 });
    expect(down.at(-1)).toMatchObject({ direction: 'down', bytes: 300_000, total: 300_000 });
    expect((await bob.history('alice')).at(-1)?.file?.state).toBe('downloaded');
  });
});
