/**
 * Device names, so a user can tell their devices apart ("Laptop", "Chromium on Linux"). A name never
 * reaches the server in the clear: each device tells the account's other devices its name in an end-to-end
 * encrypted sync message (when it is set, and on its first connect), each device answers a device it hears
 * from for the first time with its own name, and each device keeps the names it learned in its own store.
 */

import { array, object, text, uint } from '@sotto/protocol';
import { encodeContent } from './content.js';
import type { Ctx } from './context.js';
import { fanout } from './fanout.js';
import { decodeRecord, encodeRecord } from './records.js';
import { type ClientStore, put, type StoreOp } from './store/store.js';

/** Longest device name, in characters. */
export const MAX_DEVICE_NAME_CHARS = 64;

const KEY = 'device-names';
const namesSchema = object({
  names: array(
    object({ deviceId: uint({ max: 0xffff_ffff }), name: text({ max: MAX_DEVICE_NAME_CHARS * 4 }) }),
    {
      max: 256,
    },
  ),
  /** True once this device announced its current name to the others. */
  announced: uint({ max: 1 }),
});

/** The names known on this device, by device id, and whether our own was announced. */
export async function loadDeviceNames(
  store: ClientStore,
): Promise<{ names: Map<number, string>; announced: boolean }> {
  const raw = await store.get('meta', KEY);
  if (raw === undefined) return { names: new Map(), announced: false };
  const r = decodeRecord(namesSchema, raw);
  return { names: new Map(r.names.map((n) => [n.deviceId, n.name])), announced: r.announced === 1 };
}

/** The operation storing `names`. */
export function deviceNamesOp(names: ReadonlyMap<number, string>, announced: boolean): StoreOp {
  return put(
    'meta',
    KEY,
    encodeRecord(namesSchema, {
      names: [...names].map(([deviceId, name]) => ({ deviceId, name })),
      announced: announced ? 1 : 0,
    }),
  );
}

/** Cleans a name: control characters removed, whitespace collapsed, at most {@link MAX_DEVICE_NAME_CHARS}. */
export function cleanDeviceName(name: string): string {
  const cleaned = name
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return [...cleaned].slice(0, MAX_DEVICE_NAME_CHARS).join('');
}

/** This device's own name: the one set here, else the one given at login/registration. */
export async function ownDeviceName(ctx: Ctx): Promise<string | undefined> {
  const { names } = await loadDeviceNames(ctx.store);
  return names.get(ctx.profile.deviceId) ?? ctx.profile.deviceName;
}

/**
 * Tells this account's other devices our name (empty when there is none: it still asks them for theirs);
 * records that it was announced.
 */
export async function announceDeviceName(ctx: Ctx): Promise<void> {
  const name = (await ownDeviceName(ctx)) ?? '';
  await fanout(ctx, {
    to: ctx.profile.account,
    plaintextFor: () => encodeContent({ t: 'device-name', name }),
  });
  const { names } = await loadDeviceNames(ctx.store);
  if (name !== '') names.set(ctx.profile.deviceId, name);
  await ctx.store.write([deviceNamesOp(names, true)]);
}

/** Sets this device's name and announces it. */
export async function setOwnDeviceName(ctx: Ctx, name: string): Promise<void> {
  const cleaned = cleanDeviceName(name);
  const { names } = await loadDeviceNames(ctx.store);
  names.set(ctx.profile.deviceId, cleaned);
  await ctx.store.write([deviceNamesOp(names, false)]);
  await announceDeviceName(ctx);
}

/**
 * The operations recording the name another own device announced, and whether that device was new to us
 * (then it learns our name in return: a device that joins hears every other one's name once).
 */
export async function learnedNameOps(
  store: ClientStore,
  deviceId: number,
  name: string,
): Promise<{ ops: StoreOp[]; firstHeard: boolean }> {
  const { names, announced } = await loadDeviceNames(store);
  const firstHeard = !names.has(deviceId);
  names.set(deviceId, cleanDeviceName(name));
  return { ops: [deviceNamesOp(names, announced)], firstHeard };
}
