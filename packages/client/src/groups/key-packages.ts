/**
 * This device's MLS KeyPackages (ADR 0018), kept like prekeys: per group suite ({@link KEY_PACKAGE_SUITES}),
 * a pool of one-time KeyPackages and one last-resort KeyPackage on the server, each suite topped up after
 * each connect and on its `mls.keys.low`. The private
 * halves are stored (table `prekeys`, key `mls:<ref>`) BEFORE the public ones are uploaded, so the server
 * never hands out a KeyPackage this device cannot open; a one-time one is deleted once a Welcome used it.
 * The last-resort KeyPackage is replaced weekly; the replaced ones are kept a while, since a Welcome made
 * from one may still be on its way.
 */

import {
  DEFAULT_GROUP_SUITE,
  type GroupSuite,
  generateMemberKeyPackage,
  groupSuiteCode,
  groupSuiteOf,
  type KeyPackageSecrets,
  markSecret,
  toHex,
} from '@sotto/crypto';
import { bool, bytes, type FrameOf, object, optional, uint } from '@sotto/protocol';
import type { Ctx } from '../context.js';
import { decodeRecord, encodeRecord } from '../records.js';
import { del, put, type StoreOp } from '../store/store.js';

const recordSchema = object({
  bytes: bytes({ max: 16 * 1024 }),
  init: bytes({ max: 4096 }),
  hpke: bytes({ max: 4096 }),
  lastResort: bool(),
  createdAt: uint(),
  /** The suite's code point; absent in records from before suites (X-Wing then). */
  suite: optional(uint({ max: 0xffff })),
});

/** The suites this device keeps KeyPackages of: every suite a group of the SDK may use. */
export const KEY_PACKAGE_SUITES: readonly GroupSuite[] = ['xwing', 'classic'];

/**
 * The `suite` field of a KeyPackage frame for `suite`: left out for X-Wing, which a frame without it
 * means (so this device's X-Wing frames are the same as before suites, and servers from then take them).
 */
export function keyPackageSuiteField(suite: GroupSuite): { suite?: number } {
  return suite === DEFAULT_GROUP_SUITE ? {} : { suite: groupSuiteCode(suite) };
}

/** The SDK suite a KeyPackage frame names (absent: X-Wing); undefined for a suite the SDK does not use. */
export function keyPackageFrameSuite(f: { readonly suite?: number | undefined }): GroupSuite | undefined {
  if (f.suite === undefined) return DEFAULT_GROUP_SUITE;
  try {
    return groupSuiteOf(f.suite);
  } catch {
    return undefined;
  }
}

/** How often the last-resort KeyPackage is replaced. */
export const LAST_RESORT_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
/** How long a replaced last-resort KeyPackage can still be joined with. */
const LAST_RESORT_KEEP_MS = 60 * 24 * 3600 * 1000;
/** Most KeyPackages in one upload (the wire bound). */
const MAX_UPLOAD = 100;

const keyOf = (ref: Uint8Array | string) => `mls:${typeof ref === 'string' ? ref : toHex(ref)}`;

/** A stored KeyPackage of this device. */
export interface StoredKeyPackage {
  readonly key: string;
  readonly bytes: Uint8Array;
  readonly secrets: KeyPackageSecrets;
  readonly lastResort: boolean;
}

/** The stored KeyPackage a Welcome names (by one of its KeyPackageRefs), if this device has it. */
export async function findKeyPackage(
  ctx: Ctx,
  refs: readonly Uint8Array[],
): Promise<StoredKeyPackage | undefined> {
  for (const ref of refs) {
    const raw = await ctx.store.get('prekeys', keyOf(ref));
    if (raw === undefined) continue;
    const r = decodeRecord(recordSchema, raw);
    return {
      key: keyOf(ref),
      bytes: r.bytes,
      secrets: markSecret({ initPrivateKey: r.init, hpkePrivateKey: r.hpke }),
      lastResort: r.lastResort,
    };
  }
  return undefined;
}

/** Deletes a one-time KeyPackage a Welcome used (a last-resort one stays). */
export function consumedKeyPackageOps(kp: StoredKeyPackage): StoreOp[] {
  return kp.lastResort ? [] : [del('prekeys', kp.key)];
}

async function make(ctx: Ctx, suite: GroupSuite, lastResort: boolean, now: number) {
  const own = await generateMemberKeyPackage(ctx.p, {
    device: { account: ctx.profile.account, deviceId: ctx.profile.deviceId },
    signing: ctx.profile.device.signing,
    suite,
    now,
  });
  const op = put(
    'prekeys',
    keyOf(own.ref),
    encodeRecord(recordSchema, {
      bytes: own.bytes,
      init: own.secrets.initPrivateKey,
      hpke: own.secrets.hpkePrivateKey,
      lastResort,
      createdAt: now,
      suite: groupSuiteCode(suite),
    }),
  );
  return { bytes: own.bytes, op };
}

/**
 * Tops up this device's KeyPackages of `suite` on the server to `batch` one-time ones, and a last-resort
 * one when there is none of that suite or it is older than a week. `known` (from an `mls.keys.low` push
 * of that suite) skips the count.
 */
export async function replenishKeyPackages(
  ctx: Ctx,
  batch: number,
  suite: GroupSuite,
  known?: number,
): Promise<void> {
  const now = ctx.clock.now();
  const code = groupSuiteCode(suite);
  let count = known;
  let hasLastResort = true;
  if (count === undefined) {
    const r = (await ctx.request({
      t: 'mls.keys.count',
      ...keyPackageSuiteField(suite),
    })) as FrameOf<'mls.keys.count.result'>;
    count = r.count;
    hasLastResort = r.lastResort;
  }
  const ops: StoreOp[] = [];
  let newest = 0;
  for (const [key, raw] of await ctx.store.list('prekeys', { prefix: 'mls:' })) {
    const r = decodeRecord(recordSchema, raw);
    if (!r.lastResort || (r.suite ?? groupSuiteCode(DEFAULT_GROUP_SUITE)) !== code) continue;
    newest = Math.max(newest, r.createdAt);
    if (now - r.createdAt > LAST_RESORT_KEEP_MS) ops.push(del('prekeys', key));
  }
  const oneTime: Uint8Array[] = [];
  const need = Math.min(MAX_UPLOAD, Math.max(0, batch - count));
  for (let i = 0; i < need; i++) {
    const kp = await make(ctx, suite, false, now);
    ops.push(kp.op);
    oneTime.push(kp.bytes);
  }
  let lastResort: Uint8Array | undefined;
  if (!hasLastResort || newest === 0 || now - newest > LAST_RESORT_MAX_AGE_MS) {
    const kp = await make(ctx, suite, true, now);
    ops.push(kp.op);
    lastResort = kp.bytes;
  }
  if (oneTime.length === 0 && lastResort === undefined) {
    if (ops.length > 0) await ctx.store.write(ops);
    return;
  }
  await ctx.store.write(ops);
  await ctx.request({
    t: 'mls.keys.upload',
    ...keyPackageSuiteField(suite),
    keyPackages: oneTime,
    ...(lastResort === undefined ? {} : { lastResort }),
  });
}
