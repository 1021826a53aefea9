/**
 * Device lists (DESIGN §3, §4): an account's devices come from its device list signed by the identity
 * key, and each device counts only with a certificate issued by that key for the same id and signing key.
 * The server stores both but can forge neither. A list older than the one already verified is refused
 * (rollback); changes are reported as `devices-changed`. Only certified devices are ever encrypted to.
 */

import {
  type CryptoProvider,
  type DeviceCertificate,
  type DeviceList,
  decodeDeviceCertificate,
  decodeDeviceList,
  decodePublicKey,
  equalBytes,
  KeyType,
  SottoError,
  verifyDeviceCertificate,
  verifyDeviceList,
} from '@sotto/crypto';
import { array, bytes, type FrameOf, object } from '@sotto/protocol';
import type { TypedEmitter } from './events.js';
import { decodeRecord, encodeRecord } from './records.js';
import type { ClientStore } from './store/store.js';
import { del, put, type StoreOp } from './store/store.js';
import type { Request } from './transport.js';
import { checkIdentity, type TrustDeps } from './trust.js';
import type { ClientEvents } from './types.js';

const recordSchema = object({
  identityKey: bytes({ length: 32 }),
  deviceList: bytes({ max: 8192 }),
  certificates: array(bytes({ max: 1024 }), { max: 64 }),
});

/** An account's verified devices. */
export interface VerifiedDevices {
  readonly account: string;
  readonly identityKey: Uint8Array;
  readonly list: DeviceList;
  /** Certified devices by id: the only ones that may be encrypted to. */
  readonly certified: ReadonlyMap<number, DeviceCertificate>;
}

/** What the directory needs. */
export interface DirectoryDeps extends TrustDeps {
  readonly p: CryptoProvider;
  readonly store: ClientStore;
  readonly events: TypedEmitter<ClientEvents>;
  readonly request: (frame: Request) => Promise<unknown>;
}

async function parse(
  p: CryptoProvider,
  account: string,
  identityKey: Uint8Array,
  listBytes: Uint8Array,
  certificates: readonly Uint8Array[],
): Promise<VerifiedDevices> {
  const list = decodeDeviceList(listBytes);
  await verifyDeviceList(p, list, identityKey);
  if (list.accountName !== account)
    throw new SottoError('UNTRUSTED_IDENTITY', 'device list: names another account');
  const certified = new Map<number, DeviceCertificate>();
  for (const bytes of certificates) {
    let cert: DeviceCertificate;
    try {
      cert = decodeDeviceCertificate(bytes);
      await verifyDeviceCertificate(p, cert, identityKey);
    } catch {
      continue; // a certificate the identity key did not issue is ignored: that device is never used
    }
    const entry = list.devices.find((d) => d.deviceId === cert.deviceId);
    if (
      cert.accountName === account &&
      entry !== undefined &&
      equalBytes(entry.signingKey, cert.signingKey)
    ) {
      certified.set(cert.deviceId, cert);
    }
  }
  return { account, identityKey, list, certified };
}

/**
 * Verified parses of stored records, per store and account, keyed by the record's exact bytes: a record
 * verifies once, not on every send and envelope, and any change to it is a cache miss.
 */
const verified = new WeakMap<ClientStore, Map<string, { raw: Uint8Array; devices: VerifiedDevices }>>();

/** The verified devices stored for `account`, if any. */
export async function storedDevices(
  deps: DirectoryDeps,
  account: string,
): Promise<VerifiedDevices | undefined> {
  const raw = await deps.store.get('devices', account);
  if (raw === undefined) return undefined;
  let byAccount = verified.get(deps.store);
  const hit = byAccount?.get(account);
  if (hit !== undefined && equalBytes(hit.raw, raw)) return hit.devices;
  const r = decodeRecord(recordSchema, raw);
  const devices = await parse(deps.p, account, r.identityKey, r.deviceList, r.certificates);
  if (byAccount === undefined) {
    byAccount = new Map();
    verified.set(deps.store, byAccount);
  }
  byAccount.set(account, { raw: new Uint8Array(raw), devices });
  return devices;
}

/**
 * Fetches `account`'s devices from the server, verifies them and stores them. Throws UNTRUSTED_IDENTITY
 * when the identity key is not trusted (a verified contact's key changed), INVALID_SIGNATURE for a forged
 * list, DEVICE_LIST_REJECTED for a rolled-back one. Sessions of removed devices are deleted.
 */
export async function refreshDevices(deps: DirectoryDeps, account: string): Promise<VerifiedDevices> {
  const r = (await deps.request({ t: 'devices.get', account })) as FrameOf<'devices.get.result'>;
  const identityKey = decodePublicKey(KeyType.identity, r.identityKey);
  if (!(await checkIdentity(deps, account, identityKey))) {
    throw new SottoError('UNTRUSTED_IDENTITY', 'The identity key of this account changed; verify it first.');
  }
  const fresh = await parse(deps.p, account, identityKey, r.deviceList, r.certificates);
  const old = await storedDevices(deps, account).catch(() => undefined);
  const sameIdentity = old !== undefined && equalBytes(old.identityKey, identityKey);
  if (sameIdentity && fresh.list.version < old.list.version) {
    throw new SottoError(
      'DEVICE_LIST_REJECTED',
      'The server served an older device list than the one already seen.',
    );
  }
  if (sameIdentity && fresh.list.version === old.list.version && fresh.certified.size <= old.certified.size) {
    return old;
  }
  const ops: StoreOp[] = [
    put(
      'devices',
      account,
      encodeRecord(recordSchema, { identityKey, deviceList: r.deviceList, certificates: r.certificates }),
    ),
  ];
  const before = new Set(old?.certified.keys() ?? []);
  const after = new Set(fresh.certified.keys());
  const removed = [...before].filter((id) => !after.has(id) || !sameIdentity);
  for (const id of removed) ops.push(del('sessions', sessionKey(account, id)));
  await deps.store.write(ops);
  const added = [...after].filter((id) => !before.has(id) || !sameIdentity);
  if (old !== undefined && (added.length > 0 || removed.length > 0)) {
    deps.events.emit('devices-changed', { account, added, removed });
  }
  return fresh;
}

/** The stored devices of `account`, fetched first when none are stored yet. */
export async function devicesOf(deps: DirectoryDeps, account: string): Promise<VerifiedDevices> {
  return (await storedDevices(deps, account)) ?? refreshDevices(deps, account);
}

/** The `sessions` key of a device. */
export function sessionKey(account: string, deviceId: number): string {
  return `${account}/${deviceId}`;
}
