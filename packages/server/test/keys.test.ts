import { decodeKemPrekey, decodeOneTimePrekey, encodeKemPrekey, generateKemPrekey } from '@sotto/crypto';
import type { ServerFrame } from '@sotto/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provider } from './helpers/account.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { connect, registered } from './helpers/world.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ limits: { prekeyLowWaterMark: 3, bundleFetchesPerRequesterPerMinute: 1000 } });
});
afterAll(async () => {
  await t.stop();
});

const bundleOf = (f: ServerFrame) => {
  if (f.t !== 'keys.bundles.result') throw new Error(`expected bundles, got ${JSON.stringify(f)}`);
  const b = f.bundles[0];
  if (b === undefined) throw new Error('no bundle');
  return b;
};

describe('key directory', () => {
  it('hands out each one-time prekey once, then the last-resort KEM key, and warns the owner', async () => {
    const bob = await registered(t, 'bob');
    const alice = await registered(t, 'alice');
    const cb = await connect(t, bob);
    const ca = await connect(t, alice);
    expect(await cb.request({ t: 'keys.upload', ...(await bob.keyUpload(1, 5)) })).toMatchObject({ t: 'ok' });
    expect(await cb.request({ t: 'keys.count' })).toMatchObject({ oneTime: 5, kem: 5 });

    const seenX = new Set<number>();
    const seenKem = new Set<number>();
    for (let i = 0; i < 5; i++) {
      const b = bundleOf(await ca.request({ t: 'keys.bundles', account: 'bob' }));
      expect(b.kemLastResort).toBe(false);
      if (b.oneTimePrekey === undefined) throw new Error('missing one-time prekey');
      seenX.add(decodeOneTimePrekey(b.oneTimePrekey).id);
      seenKem.add(decodeKemPrekey(b.kemPrekey).id);
    }
    expect(seenX.size).toBe(5);
    expect(seenKem.size).toBe(5);
    const last = bundleOf(await ca.request({ t: 'keys.bundles', account: 'bob' }));
    expect(last.oneTimePrekey).toBeUndefined();
    expect(last.kemLastResort).toBe(true);
    expect(decodeKemPrekey(last.kemPrekey).lastResort).toBe(true);
    expect(await cb.next((f) => f.t === 'keys.low')).toMatchObject({ t: 'keys.low' });
    await ca.close();
    await cb.close();
  });

  it('never gives two concurrent fetches the same one-time key', async () => {
    const carol = await registered(t, 'carol');
    const cc = await connect(t, carol);
    expect(await cc.request({ t: 'keys.upload', ...(await carol.keyUpload(1, 40)) })).toMatchObject({
      t: 'ok',
    });
    const fetchers = [];
    for (let i = 0; i < 5; i++) fetchers.push(await connect(t, await registered(t, `fetcher${i}`)));
    const results = await Promise.all(
      fetchers.flatMap((c) =>
        Array.from({ length: 10 }, () => c.request({ t: 'keys.bundles', account: 'carol' })),
      ),
    );
    const ids = results.map((r) => {
      const b = bundleOf(r);
      return b.oneTimePrekey === undefined ? -1 : decodeOneTimePrekey(b.oneTimePrekey).id;
    });
    const handedOut = ids.filter((id) => id >= 0);
    expect(handedOut.length).toBe(40);
    expect(new Set(handedOut).size).toBe(40);
    for (const c of [...fetchers, cc]) await c.close();
  });

  it("leaves the requesting device out of its own account's bundles", async () => {
    const erin = await registered(t, 'erin');
    const ce = await connect(t, erin);
    expect(await ce.request({ t: 'keys.upload', ...(await erin.keyUpload(1, 3)) })).toMatchObject({
      t: 'ok',
    });
    const own = await ce.request({ t: 'keys.bundles', account: 'erin' });
    expect(own).toMatchObject({ t: 'keys.bundles.result', bundles: [] });
    expect(await ce.request({ t: 'keys.count' })).toMatchObject({ oneTime: 3, kem: 3 });
    await ce.close();
  });

  it('refuses prekeys not signed by the device key', async () => {
    const dan = await registered(t, 'dan');
    const other = await registered(t, 'other');
    const cd = await connect(t, dan);
    const forged = await other.keyUpload(1, 1);
    expect(await cd.request({ t: 'keys.upload', ...forged })).toMatchObject({
      code: 'PREKEY_SIGNATURE_INVALID',
    });
    expect(await cd.request({ t: 'keys.count' })).toMatchObject({ oneTime: 0, kem: 0 });
    const co = await connect(t, other);
    expect(await co.request({ t: 'keys.bundles', account: 'dan' })).toMatchObject({ code: 'NO_PREKEYS' });
    await co.close();
    await cd.close();
  });

  it('refuses a degenerate ML-KEM prekey even when the device signed it', async () => {
    const eve = await registered(t, 'eve');
    const ce = await connect(t, eve);
    // t̂ = 0: FIPS 203 accepts it, but encapsulating to it would expose the shared secret.
    const zero = new Uint8Array(1184);
    zero.set(crypto.getRandomValues(new Uint8Array(32)), 1152);
    const p = {
      ...provider,
      mlkem768Generate: async () => ({ publicKey: zero, secretKey: new Uint8Array(2400) }),
    };
    const forged = await generateKemPrekey(p, eve.device(1), 500, { lastResort: false });
    const upload = await eve.keyUpload(1, 1);
    expect(
      await ce.request({ t: 'keys.upload', ...upload, kemPrekeys: [encodeKemPrekey(forged.public)] }),
    ).toMatchObject({ code: 'PREKEY_SIGNATURE_INVALID' });
    expect(await ce.request({ t: 'keys.count' })).toMatchObject({ oneTime: 0, kem: 0 });
    await ce.close();
  });

  it('rate-limits bundle fetches per requester', async () => {
    const limited = await startTestServer({ limits: { bundleFetchesPerRequesterPerMinute: 2 } });
    try {
      const erin = await registered(limited, 'erin');
      const ce = await connect(limited, erin);
      await ce.request({ t: 'keys.upload', ...(await erin.keyUpload(1, 3)) });
      expect(await ce.request({ t: 'keys.bundles', account: 'erin' })).toMatchObject({
        t: 'keys.bundles.result',
      });
      expect(await ce.request({ t: 'keys.bundles', account: 'erin' })).toMatchObject({
        t: 'keys.bundles.result',
      });
      expect(await ce.request({ t: 'keys.bundles', account: 'erin' })).toMatchObject({
        code: 'RATE_LIMITED',
      });
      await ce.close();
    } finally {
      await limited.stop();
    }
  });
});
