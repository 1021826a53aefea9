/**
 * This device's prekeys (DESIGN §3): a signed X25519 prekey (rotated weekly) and a last-resort ML-KEM
 * prekey, plus pools of one-time X25519 and ML-KEM prekeys kept topped up on the server. Secrets are
 * stored BEFORE the public halves are uploaded, so the server can never hand out a key we cannot use;
 * one-time secrets are deleted as soon as a session consumed them.
 */

import {
  type CryptoProvider,
  decodeKemPrekey,
  decodeOneTimePrekey,
  decodeSignedPrekey,
  encodeKemPrekey,
  encodeOneTimePrekey,
  encodeSignedPrekey,
  generateKemPrekey,
  generateOneTimePrekeys,
  generateSignedPrekey,
  type KemPrekey,
  markSecret,
  type OneTimePrekey,
  type PrekeyPair,
  type PrekeySecrets,
  type SignedPrekey,
} from '@sotto/crypto';
import { bytes, type FrameOf, object } from '@sotto/protocol';
import { type Counters, countersOp, loadCounters, type Profile } from './profile.js';
import { decodeRecord, encodeRecord } from './records.js';
import { type ClientStore, del, put, type StoreOp } from './store/store.js';
import type { Request } from './transport.js';

const pairSchema = object({ pub: bytes({ max: 4096 }), secret: bytes({ max: 4096 }) });

/** How often the signed prekey and the last-resort KEM prekey are replaced. */
export const SIGNED_PREKEY_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
/** Most prekeys of one kind in one upload (the wire bound). */
const MAX_BATCH = 100;

type Kind = 'spk' | 'kem' | 'otk';
const keyOf = (kind: Kind, id: number) => `${kind}:${id}`;

function pairOp<T>(kind: Kind, pair: PrekeyPair<T>, encode: (t: T) => Uint8Array): StoreOp {
  return put(
    'prekeys',
    keyOf(kind, idOf(pair)),
    encodeRecord(pairSchema, { pub: encode(pair.public), secret: pair.secretKey }),
  );
}

function idOf<T>(pair: PrekeyPair<T>): number {
  return (pair.public as { id: number }).id;
}

async function loadPair<T>(
  store: ClientStore,
  kind: Kind,
  id: number,
  decode: (b: Uint8Array) => T,
): Promise<PrekeyPair<T> | undefined> {
  const raw = await store.get('prekeys', keyOf(kind, id));
  if (raw === undefined) return undefined;
  const r = decodeRecord(pairSchema, raw);
  return markSecret({ public: decode(r.pub), secretKey: r.secret });
}

/** The lookups `acceptPrekeyMessage` needs, reading secrets from the store. */
export function prekeySecrets(store: ClientStore): PrekeySecrets {
  return {
    signedPrekey: (id) => loadPair<SignedPrekey>(store, 'spk', id, decodeSignedPrekey),
    kemPrekey: (id) => loadPair<KemPrekey>(store, 'kem', id, decodeKemPrekey),
    oneTimePrekey: (id) => loadPair<OneTimePrekey>(store, 'otk', id, decodeOneTimePrekey),
  };
}

/** Deletes the one-time secrets a successful accept consumed (never a last-resort KEM prekey). */
export function consumedPrekeyOps(used: {
  usedOneTimePrekeyId: number | undefined;
  usedKemPrekeyId: number | undefined;
  usedKemPrekeyLastResort: boolean;
}): StoreOp[] {
  const ops: StoreOp[] = [];
  if (used.usedOneTimePrekeyId !== undefined)
    ops.push(del('prekeys', keyOf('otk', used.usedOneTimePrekeyId)));
  if (used.usedKemPrekeyId !== undefined && !used.usedKemPrekeyLastResort) {
    ops.push(del('prekeys', keyOf('kem', used.usedKemPrekeyId)));
  }
  return ops;
}

/** What {@link replenishPrekeys} needs. */
export interface ReplenishDeps {
  readonly p: CryptoProvider;
  readonly store: ClientStore;
  readonly now: number;
  /** Target size of each one-time pool on the server. */
  readonly batch: number;
  readonly request: (frame: Request) => Promise<unknown>;
}

/**
 * Tops up this device's prekeys on the server: a new signed prekey and last-resort KEM prekey when there is
 * none or it is older than a week, and one-time prekeys up to `batch` of each kind. `known` skips the
 * `keys.count` round trip (from a `keys.low` push). Secrets are stored first, then uploaded.
 */
export async function replenishPrekeys(
  deps: ReplenishDeps,
  profile: Profile,
  known?: { oneTime: number; kem: number },
): Promise<void> {
  const { p, store, now } = deps;
  const batch = Math.min(MAX_BATCH, deps.batch);
  let counts = known;
  if (counts === undefined) {
    const r = (await deps.request({ t: 'keys.count' })) as FrameOf<'keys.count.result'>;
    counts = { oneTime: r.oneTime, kem: r.kem };
  }
  const c: Counters = await loadCounters(store);
  const rotate = c.signedPrekeyId === 0 || now - c.signedPrekeyAt > SIGNED_PREKEY_MAX_AGE_MS;
  const needOneTime = counts.oneTime < batch / 2 ? batch - counts.oneTime : 0;
  const needKem = counts.kem < batch / 2 ? batch - counts.kem : 0;
  if (!rotate && needOneTime === 0 && needKem === 0) return;

  const ops: StoreOp[] = [];
  const frame: Omit<FrameOf<'keys.upload'>, 'id'> & { t: 'keys.upload' } = {
    t: 'keys.upload',
    kemPrekeys: [],
    oneTimePrekeys: [],
  };
  if (rotate) {
    const id = c.nextPrekeyId++;
    const spk = await generateSignedPrekey(p, profile.device, id, now);
    const lastResort = await generateKemPrekey(p, profile.device, id, { lastResort: true });
    ops.push(pairOp('spk', spk, encodeSignedPrekey), pairOp('kem', lastResort, encodeKemPrekey));
    frame.signedPrekey = encodeSignedPrekey(spk.public);
    frame.lastResortKemPrekey = encodeKemPrekey(lastResort.public);
    c.signedPrekeyId = id;
    c.signedPrekeyAt = now;
  }
  if (needOneTime > 0) {
    const otks = await generateOneTimePrekeys(p, c.nextPrekeyId, needOneTime);
    c.nextPrekeyId += needOneTime;
    for (const k of otks) ops.push(pairOp('otk', k, encodeOneTimePrekey));
    frame.oneTimePrekeys = otks.map((k) => encodeOneTimePrekey(k.public));
  }
  for (let i = 0; i < needKem; i++) {
    const k = await generateKemPrekey(p, profile.device, c.nextPrekeyId++, { lastResort: false });
    ops.push(pairOp('kem', k, encodeKemPrekey));
    frame.kemPrekeys.push(encodeKemPrekey(k.public));
  }
  ops.push(countersOp(c));
  await store.write(ops);
  await deps.request(frame);
}
