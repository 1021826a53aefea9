/**
 * The device-set rule of the relay (DESIGN §4): a send must carry exactly one ciphertext for every current
 * device of the recipient and of the sender's other devices, so no device is silently left out.
 */
import type { DeviceMismatch } from '@sotto/protocol';
import type { DeviceAddress } from '../../store/store.js';

const key = (d: DeviceAddress) => `${d.account}/${d.deviceId}`;

/**
 * The difference between the devices a send addresses and the devices it must address; undefined when
 * they match exactly. A device addressed twice counts as extra. `stale` is reserved (device ids are not
 * reused, so a re-enrolled device is a new id) and stays empty.
 */
export function deviceDifference(
  expected: readonly DeviceAddress[],
  addressed: readonly DeviceAddress[],
): DeviceMismatch | undefined {
  if (addressed.length === expected.length && sameDevices(expected, addressed)) return undefined;
  const want = new Map(expected.map((d) => [key(d), d]));
  const seen = new Set<string>();
  const extra: DeviceAddress[] = [];
  for (const d of addressed) {
    const k = key(d);
    if (!want.has(k) || seen.has(k)) extra.push({ account: d.account, deviceId: d.deviceId });
    seen.add(k);
  }
  const missing = [...want.values()].filter((d) => !seen.has(key(d)));
  if (missing.length === 0 && extra.length === 0) return undefined;
  return { missing, extra, stale: [] };
}

const same = (a: DeviceAddress, b: DeviceAddress) => a.account === b.account && a.deviceId === b.deviceId;

/**
 * The common case without allocating: `addressed` (as long as `expected`, whose entries are distinct)
 * names only expected devices and none twice, so it names each exactly once. Quadratic, but a send
 * addresses at most `messagesPerSend` devices.
 */
function sameDevices(expected: readonly DeviceAddress[], addressed: readonly DeviceAddress[]): boolean {
  for (let i = 0; i < addressed.length; i++) {
    const a = addressed[i];
    if (a === undefined || !expected.some((e) => same(e, a))) return false;
    for (let j = 0; j < i; j++) {
      const b = addressed[j];
      if (b !== undefined && same(a, b)) return false;
    }
  }
  return true;
}
