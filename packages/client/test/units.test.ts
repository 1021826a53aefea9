/** Unit tests of the small pieces: content codec, password rating, events, records and redaction. */
import { inspect } from 'node:util';
import {
  encodeDeviceCertificate,
  generateDeviceKeys,
  generateIdentityKeyPair,
  issueDeviceCertificate,
  SottoError,
} from '@sotto/crypto';
import { encodeCbor } from '@sotto/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeContent, encodeContent } from '../src/content.js';
import { PROCESSED_RETENTION_MS, processedOp, pruneProcessed, wasProcessed } from '../src/envelopes.js';
import { checkPassword, createClient, MemoryStore, TypedEmitter } from '../src/index.js';
import { loadProfile, profileOps } from '../src/profile.js';
import { provider } from './helpers/world.js';

describe('content encoding', () => {
  it('round-trips every content type', () => {
    const id = new Uint8Array(16).fill(7);
    const cases = [
      { t: 'text', id, sentAt: 1_700_000_000_000, seq: 3, text: 'héllo 👋' },
      { t: 'text', to: 'bob', id, sentAt: 1, seq: 1, text: '' },
      { t: 'receipt', receipt: 'read', ids: [id, id] },
      { t: 'typing', to: 'alice', typing: false },
    ] as const;
    for (const c of cases) expect(decodeContent(encodeContent(c))).toEqual(c);
  });

  it('refuses anything else with MALFORMED_ENCODING, never another exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeContent(bytes);
        } catch (err) {
          expect(SottoError.is(err, 'MALFORMED_ENCODING')).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
    // Well-formed CBOR of the wrong shape: a text without its id, an unknown type, an extra field.
    for (const v of [
      { v: 1, t: 'text', text: 'x' },
      { v: 1, t: 'call' },
      { v: 2, t: 'typing', typing: true },
    ]) {
      expect(() => decodeContent(encodeCbor(v))).toThrow(SottoError);
    }
  });
});

describe('password strength', () => {
  it('rates weak and strong passwords and explains', () => {
    const weak = checkPassword('password1');
    expect(weak.weak).toBe(true);
    expect(weak.score).toBeLessThan(3);
    expect(weak.suggestions.length + weak.warning.length).toBeGreaterThan(0);
    const strong = checkPassword('correct horse battery staple 42!');
    expect(strong.weak).toBe(false);
    expect(checkPassword('alice-alice-1', ['alice-alice']).score).toBeLessThan(3);
  });
});

describe('events', () => {
  it('isolate a throwing listener and unsubscribe', () => {
    const e = new TypedEmitter<{ ping: number }>();
    const seen: number[] = [];
    const spy = console.error;
    console.error = () => undefined;
    try {
      e.on('ping', () => {
        throw new Error('listener bug');
      });
      const off = e.on('ping', (n) => seen.push(n));
      e.once('ping', (n) => seen.push(n * 10));
      e.emit('ping', 1);
      off();
      e.emit('ping', 2);
    } finally {
      console.error = spy;
    }
    expect(seen).toEqual([1, 10]);
  });
});

describe('profile', () => {
  it('round-trips through the store and renders as [redacted]', async () => {
    const identity = await generateIdentityKeyPair(provider);
    const device = await generateDeviceKeys(provider, 3);
    const certificate = await issueDeviceCertificate(provider, identity, {
      accountName: 'zoe',
      deviceId: 3,
      signingKey: device.signing.publicKey,
      dhKey: device.dh.publicKey,
      createdAt: 5,
    });
    const store = new MemoryStore();
    await store.write(
      profileOps({
        account: 'zoe',
        deviceId: 3,
        identity,
        device,
        certificate,
        servers: ['http://x'],
        createdAt: 5,
      }),
    );
    const p = await loadProfile(provider, store);
    expect(p?.identity.publicKey).toEqual(identity.publicKey);
    expect(encodeDeviceCertificate(p?.certificate ?? certificate)).toEqual(
      encodeDeviceCertificate(certificate),
    );
    const shown = `${inspect(p)} ${JSON.stringify(p)} ${String(p)}`;
    expect(shown).not.toContain('secretKey');
    expect(shown).toContain('[redacted]');
  });
});

describe('client without a profile', () => {
  it('says NOT_REGISTERED, and refuses a bad server URL', async () => {
    const c = createClient({ server: 'http://127.0.0.1:9', store: new MemoryStore(), provider });
    expect(await c.isRegistered()).toBe(false);
    await expect(c.whoami()).rejects.toMatchObject({ code: 'NOT_REGISTERED' });
    await expect(c.connect()).rejects.toMatchObject({ code: 'NOT_REGISTERED' });
    await expect(c.send('bob', 'x')).rejects.toMatchObject({ code: 'NOT_REGISTERED' });
    expect(() => createClient({ server: 'not a url', store: new MemoryStore() })).toThrow(SottoError);
    expect(() => createClient({ server: [], store: new MemoryStore() })).toThrow(SottoError);
  });
});

describe('processed envelope ids', () => {
  it('are remembered, and pruned after the retention window at most once a day', async () => {
    const store = new MemoryStore();
    const old = new Uint8Array(16).fill(1);
    const fresh = new Uint8Array(16).fill(2);
    const now = 10 * PROCESSED_RETENTION_MS;
    await store.write([processedOp(old, now - PROCESSED_RETENTION_MS - 1), processedOp(fresh, now - 1000)]);
    expect(await wasProcessed(store, old)).toBe(true);
    expect(await pruneProcessed(store, now)).toBe(1);
    expect(await wasProcessed(store, old)).toBe(false);
    expect(await wasProcessed(store, fresh)).toBe(true);
    await store.write([processedOp(old, 0)]);
    expect(await pruneProcessed(store, now + 1000)).toBe(0); // pruned less than a day ago
  });
});
