import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ClientStore, EncryptedStore, MemoryStore, openSqliteStore, SottoError } from '../src/index.js';
import { provider } from './helpers/world.js';

const dir = mkdtempSync(join(tmpdir(), 'sotto-client-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));
let n = 0;

const adapters: Array<[string, () => Promise<ClientStore>]> = [
  ['memory', async () => new MemoryStore()],
  ['encrypted memory', async () => new EncryptedStore(new MemoryStore(), provider, provider.randomBytes(32))],
  ['sqlite (key file)', async () => openSqliteStore({ path: join(dir, `k${n++}.db`), provider })],
];

describe.each(adapters)('ClientStore contract: %s', (_name, make) => {
  it('gets, puts, deletes and lists in key order with prefix, below, reverse and limit', async () => {
    const s = await make();
    expect(await s.get('meta', 'x')).toBeUndefined();
    await s.write([
      { op: 'put', table: 'messages', key: 'bob\u0001b', value: enc('2') },
      { op: 'put', table: 'messages', key: 'bob\u0001a', value: enc('1') },
      { op: 'put', table: 'messages', key: 'bob\u0001c', value: enc('3') },
      { op: 'put', table: 'messages', key: 'bobby\u0001a', value: enc('x') },
      { op: 'put', table: 'meta', key: 'bob\u0001a', value: enc('other table') },
    ]);
    expect(dec(await s.get('messages', 'bob\u0001b'))).toBe('2');
    const all = await s.list('messages', { prefix: 'bob\u0001' });
    expect(all.map(([k, v]) => [k, dec(v)])).toEqual([
      ['bob\u0001a', '1'],
      ['bob\u0001b', '2'],
      ['bob\u0001c', '3'],
    ]);
    const page = await s.list('messages', {
      prefix: 'bob\u0001',
      below: 'bob\u0001c',
      reverse: true,
      limit: 1,
    });
    expect(page.map(([k]) => k)).toEqual(['bob\u0001b']);
    await s.write([{ op: 'delete', table: 'messages', key: 'bob\u0001a' }]);
    expect(await s.get('messages', 'bob\u0001a')).toBeUndefined();
    expect(dec(await s.get('meta', 'bob\u0001a'))).toBe('other table');
    await s.close();
  });

  it('keeps its own copy of a value: changing a put Buffer or a read value afterwards changes nothing', async () => {
    const s = await make();
    const pool = Buffer.from('xxxxsecretyyyy');
    const value = pool.subarray(4, 10);
    await s.write([{ op: 'put', table: 'meta', key: 'k', value }]);
    value.fill(0);
    const read = await s.get('meta', 'k');
    expect(dec(read)).toBe('secret');
    read?.fill(0);
    expect(dec(await s.get('meta', 'k'))).toBe('secret');
    await s.close();
  });

  it('applies a batch atomically: a failing batch leaves nothing behind', async () => {
    const s = await make();
    const bad = { op: 'put', table: 'meta', key: 'b', value: 'not bytes' } as unknown as never;
    await expect(
      s.write([{ op: 'put', table: 'meta', key: 'a', value: enc('1') }, bad]),
    ).rejects.toBeDefined();
    expect(await s.get('meta', 'a')).toBeUndefined();
    expect(await s.get('meta', 'b')).toBeUndefined();
    await s.close();
  });
});

describe('SQLite profile file', () => {
  it('is created with mode 0600, encrypts values, and reopens only with the right password', async () => {
    const path = join(dir, 'pw.db');
    const s = await openSqliteStore({ path, password: 'profile password', provider });
    await s.write([{ op: 'put', table: 'messages', key: 'k', value: enc('secret message text') }]);
    await s.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const { readFileSync, existsSync } = await import('node:fs');
    const bytes = Buffer.concat(
      [path, `${path}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)),
    );
    expect(bytes.includes(Buffer.from('secret message text'))).toBe(false);
    await expect(openSqliteStore({ path, password: 'wrong', provider })).rejects.toSatisfy((e) =>
      SottoError.is(e, 'STORAGE_WRONG_KEY'),
    );
    await expect(openSqliteStore({ path, provider })).rejects.toSatisfy((e) =>
      SottoError.is(e, 'STORAGE_WRONG_KEY'),
    );
    const again = await openSqliteStore({ path, password: 'profile password', provider });
    expect(dec(await again.get('messages', 'k'))).toBe('secret message text');
    await again.close();
  });

  it('without a password keeps the key in a 0600 key file', async () => {
    const path = join(dir, 'kf.db');
    const s = await openSqliteStore({ path, provider });
    await s.write([{ op: 'put', table: 'meta', key: 'k', value: enc('v') }]);
    await s.close();
    expect(statSync(`${path}.key`).mode & 0o777).toBe(0o600);
    const again = await openSqliteStore({ path, provider });
    expect(dec(await again.get('meta', 'k'))).toBe('v');
    await again.close();
  });
});
