import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  fromHex,
  generateIdentityKeyPair,
  partyFingerprint,
  SAFETY_ITERATIONS,
  type SafetyParty,
  safetyNumber,
  toHex,
  verifySafetyQr,
} from '@sotto/crypto';
import { describe, expect, it } from 'vitest';
import { expectCode, flipBit, providers } from '../keys/support.js';

interface FixtureParty {
  name: string;
  identityKey: string;
  digits: string;
  fingerprint: string;
}
interface Vector {
  description: string;
  local: FixtureParty;
  remote: FixtureParty;
  digits: string;
  qrPayload: string;
}
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/safety-numbers.json', import.meta.url), 'utf8'),
) as { iterations: number; vectors: Vector[] };

const party = (f: FixtureParty): SafetyParty => ({ name: f.name, identityKey: fromHex(f.identityKey) });

/**
 * An independent implementation over node:crypto, written from the format in docs/crypto.md rather than
 * through the module's ByteWriter and provider, so the fixture is not self-certifying.
 */
function referenceFingerprint(name: string, identityKeyHex: string): { digits: string; hash: string } {
  const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
  const label = Buffer.from('sotto/v1/safety/fingerprint', 'utf8');
  const key = Buffer.concat([Buffer.from([1, 1]), Buffer.from(identityKeyHex, 'hex')]);
  const nameBytes = Buffer.from(name, 'utf8');
  let h = Buffer.concat([u16(label.length), label, key, u16(nameBytes.length), nameBytes]);
  for (let i = 0; i < 5200; i++) h = createHash('sha512').update(h).update(key).digest();
  let digits = '';
  for (let i = 0; i < 30; i += 5) digits += String(h.readUIntBE(i, 5) % 100000).padStart(5, '0');
  return { digits, hash: h.subarray(0, 32).toString('hex') };
}

describe('safety-number fixture', () => {
  it('is recomputed by an independent node:crypto implementation', () => {
    expect(fixture.iterations).toBe(SAFETY_ITERATIONS);
    expect(fixture.vectors.length).toBeGreaterThanOrEqual(4);
    for (const v of fixture.vectors) {
      const l = referenceFingerprint(v.local.name, v.local.identityKey);
      const r = referenceFingerprint(v.remote.name, v.remote.identityKey);
      expect(l).toEqual({ digits: v.local.digits, hash: v.local.fingerprint });
      expect(r).toEqual({ digits: v.remote.digits, hash: v.remote.fingerprint });
      const [a, b] = [l, r].sort((x, y) => (x.digits < y.digits ? -1 : x.digits > y.digits ? 1 : 0));
      if (a === undefined || b === undefined) throw new Error('unreachable');
      expect(a.digits + b.digits).toBe(v.digits);
      expect(`0151${a.hash}${b.hash}`).toBe(v.qrPayload);
    }
  });
});

describe.each(providers())('safety numbers ($label)', ({ provider: p }) => {
  it.each(fixture.vectors)('matches the known answer: $description', async (v) => {
    const local = party(v.local);
    const remote = party(v.remote);
    const fp = await partyFingerprint(p, local);
    expect({ digits: fp.digits, hash: toHex(fp.hash) }).toEqual({
      digits: v.local.digits,
      hash: v.local.fingerprint,
    });
    for (const sn of [await safetyNumber(p, local, remote), await safetyNumber(p, remote, local)]) {
      expect(sn.digits).toBe(v.digits);
      expect(toHex(sn.qrPayload)).toBe(v.qrPayload);
    }
  });

  it('is 60 digits in 12 groups of 5, the same whoever computes it', async () => {
    const a = { name: 'alice', identityKey: (await generateIdentityKeyPair(p)).publicKey };
    const b = { name: 'bob', identityKey: (await generateIdentityKeyPair(p)).publicKey };
    const ab = await safetyNumber(p, a, b);
    const ba = await safetyNumber(p, b, a);
    expect(ab.digits).toMatch(/^\d{60}$/);
    expect(ab.groups).toHaveLength(12);
    for (const g of ab.groups) expect(g).toMatch(/^\d{5}$/);
    expect(ab.groups.join('')).toBe(ab.digits);
    expect(ba).toEqual(ab);
  });

  it('changes with either identity key or either name', async () => {
    const a = { name: 'alice', identityKey: (await generateIdentityKeyPair(p)).publicKey };
    const b = { name: 'bob', identityKey: (await generateIdentityKeyPair(p)).publicKey };
    const base = (await safetyNumber(p, a, b)).digits;
    const newKey = (await generateIdentityKeyPair(p)).publicKey;
    const variants = [
      [{ ...a, identityKey: newKey }, b],
      [a, { ...b, identityKey: newKey }],
      [{ ...a, name: 'alice2' }, b],
      [a, { ...b, name: 'Bob' }],
    ] as const;
    for (const [x, y] of variants) {
      const digits = (await safetyNumber(p, x, y)).digits;
      expect(digits).not.toBe(base);
      // exactly the changed party's half differs
      const halves = new Set([digits.slice(0, 30), digits.slice(30)]);
      const baseHalves = new Set([base.slice(0, 30), base.slice(30)]);
      expect([...halves].filter((h) => baseHalves.has(h))).toHaveLength(1);
    }
  });

  it('QR: the payload one side shows verifies on the other side', async () => {
    const a = { name: 'alice', identityKey: (await generateIdentityKeyPair(p)).publicKey };
    const b = { name: 'bob', identityKey: (await generateIdentityKeyPair(p)).publicKey };
    const shownByA = (await safetyNumber(p, a, b)).qrPayload;
    expect(await verifySafetyQr(p, shownByA, b, a)).toBe(true);
    expect(await verifySafetyQr(p, shownByA, a, b)).toBe(true);
    const mallory = { name: 'bob', identityKey: (await generateIdentityKeyPair(p)).publicKey };
    expect(await verifySafetyQr(p, shownByA, mallory, a)).toBe(false);
  });

  it('QR: swapped halves, flipped bits and malformed payloads are false, never an exception', async () => {
    const a = { name: 'alice', identityKey: (await generateIdentityKeyPair(p)).publicKey };
    const b = { name: 'bob', identityKey: (await generateIdentityKeyPair(p)).publicKey };
    const qr = (await safetyNumber(p, a, b)).qrPayload;
    const swapped = new Uint8Array([...qr.subarray(0, 2), ...qr.subarray(34), ...qr.subarray(2, 34)]);
    expect(await verifySafetyQr(p, swapped, a, b)).toBe(false);
    for (const bit of [0, 9, 200, 527]) {
      expect(await verifySafetyQr(p, flipBit(qr, bit), a, b)).toBe(false);
    }
    const malformed = [new Uint8Array(0), qr.subarray(0, 65), new Uint8Array([...qr, 0]), 'not bytes', null];
    for (const m of malformed) expect(await verifySafetyQr(p, m as Uint8Array, a, b)).toBe(false);
  });

  it('rejects an invalid party with INVALID_ARGUMENT', async () => {
    const key = (await generateIdentityKeyPair(p)).publicKey;
    await expectCode(
      () => safetyNumber(p, { name: '', identityKey: key }, { name: 'b', identityKey: key }),
      'INVALID_ARGUMENT',
    );
    await expectCode(
      () => safetyNumber(p, { name: 'a', identityKey: new Uint8Array(33) }, { name: 'b', identityKey: key }),
      'INVALID_ARGUMENT',
    );
  });
});
