/**
 * The SDK's IndexedDB store (`openIndexedDbStore`, packages/client/src/store/indexeddb.ts) in real
 * Chromium: the `ClientStore` contract cases the other adapters pass (packages/client/test/
 * store.contract.test.ts), values encrypted at rest and bound to their slot, the storage key
 * non-extractable, and a profile that reopens with its data and is gone after deletion.
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, IN_CI, startWorld, type World } from './helpers/harness.js';

/** The store module bundled for the page, exposed as `window.SottoStore`. */
async function bundleStore(): Promise<string> {
  const { build } = await import('vite');
  const entry = fileURLToPath(new URL('../../client/src/store/indexeddb.ts', import.meta.url));
  const out = await build({
    configFile: false,
    logLevel: 'error',
    mode: 'production',
    resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
    build: { write: false, minify: false, lib: { entry, formats: ['iife'], name: 'SottoStore' } },
  });
  const outputs = Array.isArray(out) ? out : [out];
  for (const o of outputs) {
    if ('output' in o) for (const chunk of o.output) if (chunk.type === 'chunk') return chunk.code;
  }
  throw new Error('no bundle');
}

describe.skipIf(!HAS_CHROMIUM && !IN_CI)('IndexedDB store in Chromium', () => {
  let world: World;
  let page: Page;

  beforeAll(async () => {
    world = await startWorld('idb');
    const code = await bundleStore();
    const ctx = await world.browser.newContext({ bypassCSP: true });
    ctx.setDefaultTimeout(15_000);
    page = await ctx.newPage();
    await page.goto(`${world.url}/healthz`); // any page of a real origin: IndexedDB needs one
    await page.addScriptTag({ content: code });
  }, 90_000);

  afterAll(async () => {
    await world?.close();
  });

  it('passes the ClientStore contract: order, prefix, below, reverse, limit, delete, atomic batches', async () => {
    const r = await page.evaluate(async () => {
      type Api = typeof import('../../client/src/store/indexeddb.js');
      const S = (window as unknown as { SottoStore: Api }).SottoStore;
      const enc = (s: string) => new TextEncoder().encode(s);
      const dec = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));
      const s = await S.openIndexedDbStore({ name: 'contract' });
      const missing = await s.get('meta', 'x');
      await s.write([
        { op: 'put', table: 'messages', key: 'bob\u0001b', value: enc('2') },
        { op: 'put', table: 'messages', key: 'bob\u0001a', value: enc('1') },
        { op: 'put', table: 'messages', key: 'bob\u0001c', value: enc('3') },
        { op: 'put', table: 'messages', key: 'bobby\u0001a', value: enc('x') },
        { op: 'put', table: 'meta', key: 'bob\u0001a', value: enc('other table') },
        { op: 'put', table: 'meta', key: '\uffff', value: enc('high') },
      ]);
      const got = dec(await s.get('messages', 'bob\u0001b'));
      const all = (await s.list('messages', { prefix: 'bob\u0001' })).map(([k, v]) => [k, dec(v)]);
      const whole = (await s.list('messages')).map(([k]) => k);
      const page1 = (
        await s.list('messages', { prefix: 'bob\u0001', below: 'bob\u0001c', reverse: true, limit: 1 })
      ).map(([k]) => k);
      await s.write([{ op: 'delete', table: 'messages', key: 'bob\u0001a' }]);
      const deleted = await s.get('messages', 'bob\u0001a');
      const otherTable = dec(await s.get('meta', 'bob\u0001a'));
      const metaKeys = (await s.list('meta')).map(([k]) => k);
      const bad = { op: 'put', table: 'meta', key: 'b', value: 'not bytes' } as unknown as never;
      let rejected = false;
      try {
        await s.write([{ op: 'put', table: 'meta', key: 'a', value: enc('1') }, bad]);
      } catch {
        rejected = true;
      }
      const afterBad = [await s.get('meta', 'a'), await s.get('meta', 'b')];
      await s.close();
      await S.deleteIndexedDbStore({ name: 'contract' });
      return { missing, got, all, whole, page1, deleted, otherTable, metaKeys, rejected, afterBad };
    });
    expect(r.missing).toBeUndefined();
    expect(r.got).toBe('2');
    expect(r.all).toEqual([
      ['bob\u0001a', '1'],
      ['bob\u0001b', '2'],
      ['bob\u0001c', '3'],
    ]);
    expect(r.whole).toEqual(['bob\u0001a', 'bob\u0001b', 'bob\u0001c', 'bobby\u0001a']);
    expect(r.page1).toEqual(['bob\u0001b']);
    expect(r.deleted).toBeUndefined();
    expect(r.otherTable).toBe('other table');
    expect(r.metaKeys).toEqual(['bob\u0001a', '\uffff']);
    expect(r.rejected).toBe(true);
    expect(r.afterBad).toEqual([undefined, undefined]);
  });

  it('reads only the page it returns, however long the conversation', async () => {
    const r = await page.evaluate(async () => {
      type Api = typeof import('../../client/src/store/indexeddb.js');
      const S = (window as unknown as { SottoStore: Api }).SottoStore;
      const enc = (s: string) => new TextEncoder().encode(s);
      const s = await S.openIndexedDbStore({ name: 'paging' });
      const key = (who: string, i: number) => `${who}\u0001${String(i).padStart(6, '0')}`;
      const ops: Parameters<typeof s.write>[0][number][] = [];
      for (let i = 0; i < 3000; i++)
        ops.push({ op: 'put', table: 'messages', key: key('bob', i), value: enc('x') });
      for (let i = 0; i < 500; i++)
        ops.push({ op: 'put', table: 'messages', key: key('carol', i), value: enc('y') });
      ops.push({ op: 'put', table: 'messages', key: 'bob\uffff', value: enc('z') });
      await s.write(ops);
      // Count every record IndexedDB hands to the page from here on.
      let delivered = 0;
      const getAll = IDBObjectStore.prototype.getAll;
      IDBObjectStore.prototype.getAll = function (...args: Parameters<typeof getAll>) {
        const req = getAll.apply(this, args);
        req.addEventListener('success', () => {
          delivered += (req.result as unknown[]).length;
        });
        return req;
      };
      const openCursor = IDBObjectStore.prototype.openCursor;
      IDBObjectStore.prototype.openCursor = function (...args: Parameters<typeof openCursor>) {
        const req = openCursor.apply(this, args);
        req.addEventListener('success', () => {
          if (req.result !== null) delivered++;
        });
        return req;
      };
      const counted = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
        delivered = 0;
        const out = await f();
        return [out, delivered];
      };
      const keys = (list: ReadonlyArray<readonly [string, Uint8Array]>) => list.map(([k]) => k);
      const latest = await counted(async () =>
        keys(await s.list('messages', { prefix: 'bob\u0001', reverse: true, limit: 20 })),
      );
      const older = await counted(async () =>
        keys(
          await s.list('messages', { prefix: 'bob\u0001', below: key('bob', 1000), reverse: true, limit: 5 }),
        ),
      );
      const first = await counted(async () =>
        keys(await s.list('messages', { prefix: 'bob\u0001', limit: 3 })),
      );
      const high = keys(await s.list('messages', { prefix: 'bob\uffff' }));
      const none = keys(await s.list('messages', { prefix: 'bob\u0001', below: 'bob' }));
      const carol = (await s.list('messages', { prefix: 'carol\u0001' })).length;
      IDBObjectStore.prototype.getAll = getAll;
      IDBObjectStore.prototype.openCursor = openCursor;
      await s.close();
      await S.deleteIndexedDbStore({ name: 'paging' });
      return { latest, older, first, high, none, carol };
    });
    expect(r.latest[0]).toHaveLength(20);
    expect(r.latest[0][0]).toBe('bob\u0001002999');
    expect(r.latest[0][19]).toBe('bob\u0001002980');
    expect(r.latest[1]).toBeLessThanOrEqual(20);
    expect(r.older[0]).toEqual([
      'bob\u0001000999',
      'bob\u0001000998',
      'bob\u0001000997',
      'bob\u0001000996',
      'bob\u0001000995',
    ]);
    expect(r.older[1]).toBeLessThanOrEqual(5);
    expect(r.first[0]).toEqual(['bob\u0001000000', 'bob\u0001000001', 'bob\u0001000002']);
    expect(r.first[1]).toBeLessThanOrEqual(3);
    expect(r.high).toEqual(['bob\uffff']);
    expect(r.none).toEqual([]);
    expect(r.carol).toBe(500);
  });

  it('encrypts values bound to their slot under a non-extractable key, reopens, and deletes', async () => {
    const r = await page.evaluate(async () => {
      type Api = typeof import('../../client/src/store/indexeddb.js');
      const S = (window as unknown as { SottoStore: Api }).SottoStore;
      const enc = (s: string) => new TextEncoder().encode(s);
      const dec = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));
      const name = 'at-rest';
      const s = await S.openIndexedDbStore({ name });
      await s.write([
        { op: 'put', table: 'messages', key: 'k1', value: enc('secret message text') },
        { op: 'put', table: 'messages', key: 'k2', value: enc('another') },
      ]);
      await s.close();

      // Read the raw database, as someone with a copy of the browser profile would.
      const db = await new Promise<IDBDatabase>((ok, no) => {
        const q = indexedDB.open(name);
        q.onsuccess = () => ok(q.result);
        q.onerror = () => no(q.error);
      });
      const all = <T>(store: string) =>
        new Promise<T[]>((ok, no) => {
          const q = db.transaction(store, 'readonly').objectStore(store).getAll();
          q.onsuccess = () => ok(q.result as T[]);
          q.onerror = () => no(q.error);
        });
      const rows = await all<{ t: string; k: string; v: Uint8Array }>('kv');
      const keys = await all<CryptoKey>('keys');
      const text = rows.map((row) => Array.from(row.v, (b) => String.fromCharCode(b)).join('')).join('|');
      let exported = 'exported';
      try {
        const key = keys[0];
        if (key !== undefined) await crypto.subtle.exportKey('raw', key);
      } catch (e) {
        exported = (e as Error).name;
      }
      // Swap the two sealed values: each must now fail to open.
      const [a, b] = rows;
      if (a === undefined || b === undefined) throw new Error('rows missing');
      await new Promise<void>((ok, no) => {
        const tx = db.transaction('kv', 'readwrite');
        tx.objectStore('kv').put({ ...a, v: b.v });
        tx.oncomplete = () => ok();
        tx.onerror = () => no(tx.error);
      });
      db.close();

      const again = await S.openIndexedDbStore({ name });
      let swapped = 'opened';
      try {
        await again.get('messages', a.k);
      } catch (e) {
        swapped = (e as { code?: string }).code ?? 'error';
      }
      const intact = dec(await again.get('messages', b.k));
      await again.close();
      await S.deleteIndexedDbStore({ name });
      const fresh = await S.openIndexedDbStore({ name });
      const gone = await fresh.get('messages', b.k);
      await fresh.close();
      await S.deleteIndexedDbStore({ name });
      return {
        rows: rows.length,
        leak: text.includes('secret message text') || text.includes('another'),
        keys: keys.map((k) => [k.extractable, k.algorithm.name, k.usages.slice().sort()]),
        exported,
        swapped,
        intact,
        gone,
      };
    });
    expect(r.rows).toBe(2);
    expect(r.leak).toBe(false);
    expect(r.keys).toEqual([[false, 'AES-GCM', ['decrypt', 'encrypt']]]);
    expect(r.exported).toBe('InvalidAccessError');
    expect(r.swapped).toBe('STORAGE_WRONG_KEY');
    expect(r.intact).toBe('another');
    expect(r.gone).toBeUndefined();
  });
});
