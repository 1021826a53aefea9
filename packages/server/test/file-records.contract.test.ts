/**
 * The file records contract: quota, single-use upload tokens, completion and expiry behave the same on
 * every store adapter (SQLite file; PostgreSQL in a fresh schema per test), also when two nodes race.
 */
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import type { NewFileGrant } from '../src/store/file-records.js';
import type { Store } from '../src/store/store.js';
import { describeWith } from './helpers/services.js';
import { eachTestStore, STORE_ADAPTERS } from './helpers/stores.js';

const grant = (owner: string, maxSize: number, tokenExpiresAt = 1_000): NewFileGrant => ({
  id: randomBytes(16).toString('hex'),
  account: owner,
  tokenHash: randomBytes(32),
  maxSize,
  createdAt: 10,
  tokenExpiresAt,
});

for (const adapter of STORE_ADAPTERS) {
  await describeWith(adapter.services, `FileRecords contract: ${adapter.name}`, () => {
    let store: Store;
    const another = eachTestStore(
      adapter,
      [
        ['alice', []],
        ['bob', []],
      ],
      (s) => {
        store = s;
      },
    );

    it('grant uploads up to the quota, counting declared sizes once created, per account', async () => {
      const a = grant('alice', 60);
      expect(await store.files.authorize(a, 100)).toBe(true);
      expect(await store.files.authorize(grant('alice', 50), 100)).toBe(false);
      expect(await store.files.authorize(grant('bob', 100), 100)).toBe(true);
      // The upload declares fewer bytes than authorized: the rest of the quota is free again.
      expect(await store.files.claim(a.id, 20, 500)).toBe(true);
      expect(await store.files.authorize(grant('alice', 80), 100)).toBe(true);
      expect(await store.files.authorize(grant('alice', 1), 100)).toBe(false);
      expect(await store.files.delete(a.id, 'alice')).toBe(true);
      expect(await store.files.authorize(grant('alice', 20), 100)).toBe(true);
    });

    it('let exactly as many racing grants from two nodes through as the quota holds', async () => {
      const second = await another();
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (i % 2 === 0 ? store : second).files.authorize(grant('alice', 30), 100),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(3);
      expect((await store.files.usage()).uploads).toBe(3);
    });

    it('find a record by its token hash; a token creates one upload, only while valid and within its size', async () => {
      const g = grant('alice', 100, 1_000);
      expect(await store.files.authorize(g, 1_000)).toBe(true);
      expect(await store.files.byToken(g.tokenHash)).toMatchObject({
        id: g.id,
        account: 'alice',
        maxSize: 100,
        size: undefined,
        state: 'authorized',
        tokenExpiresAt: 1_000,
        expiresAt: 1_000,
      });
      expect(await store.files.byToken(randomBytes(32))).toBeUndefined();
      expect(await store.files.claim(g.id, 101, 500)).toBe(false);
      expect(await store.files.claim(g.id, 100, 1_000)).toBe(false);
      expect(await store.files.claim(g.id, 100, 500)).toBe(true);
      expect(await store.files.claim(g.id, 100, 500)).toBe(false);
      expect(await store.files.get(g.id)).toMatchObject({ state: 'uploading', size: 100 });
      await store.files.unclaim(g.id);
      expect(await store.files.get(g.id)).toMatchObject({ state: 'authorized', size: undefined });
      const second = await another();
      const claims = await Promise.all(
        [store, second, store, second].map((s) => s.files.claim(g.id, 50, 500)),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
    });

    it('complete an upload once, then expire it at the new time', async () => {
      const g = grant('alice', 100, 1_000);
      await store.files.authorize(g, 1_000);
      expect(await store.files.complete(g.id, 600, 5_000)).toBe(false);
      await store.files.claim(g.id, 80, 500);
      expect(await store.files.complete(g.id, 600, 5_000)).toBe(true);
      expect(await store.files.complete(g.id, 700, 9_000)).toBe(false);
      expect(await store.files.get(g.id)).toMatchObject({
        state: 'complete',
        size: 80,
        completedAt: 600,
        expiresAt: 5_000,
      });
      const stale = grant('bob', 10, 900);
      await store.files.authorize(stale, 1_000);
      expect((await store.files.expired(1_000, 10)).map((r) => r.id)).toEqual([stale.id]);
      expect((await store.files.expired(5_000, 10)).map((r) => r.id)).toEqual([stale.id, g.id]);
      expect((await store.files.expired(5_000, 1)).map((r) => r.id)).toEqual([stale.id]);
      expect(await store.files.usage()).toEqual({ files: 1, bytes: 80, uploads: 1 });
    });

    it("delete only the account's own file, and walk and look up records by id", async () => {
      const grants = [grant('alice', 1), grant('alice', 2), grant('bob', 3)];
      for (const g of grants) await store.files.authorize(g, 100);
      const [a, , b] = grants;
      if (a === undefined || b === undefined) throw new Error('unreachable');
      expect(await store.files.delete(b.id, 'alice')).toBe(false);
      expect(await store.files.delete(b.id, 'bob')).toBe(true);
      expect(await store.files.delete(b.id)).toBe(false);
      const ids = grants
        .slice(0, 2)
        .map((g) => g.id)
        .sort();
      expect((await store.files.page('', 10)).map((r) => r.id)).toEqual(ids);
      expect((await store.files.page(ids[0] ?? '', 10)).map((r) => r.id)).toEqual(ids.slice(1));
      expect((await store.files.page('', 1)).map((r) => r.id)).toEqual(ids.slice(0, 1));
      const unknown = randomBytes(16).toString('hex');
      expect(await store.files.existing([a.id, b.id, unknown])).toEqual(new Set([a.id]));
      expect(await store.files.existing([])).toEqual(new Set());
    });
  });
}
