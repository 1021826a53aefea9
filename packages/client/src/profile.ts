/**
 * The profile: who this device is. The account name, device id, the identity key pair (restored from the
 * backup on a new device), this device's keys and certificate, and counters. Stored in the `meta` table,
 * encrypted at rest like every record.
 */

import {
  type CryptoProvider,
  type DeviceCertificate,
  type DeviceKeys,
  decodeDeviceCertificate,
  decodeDeviceKeys,
  decodeIdentityKeyPair,
  encodeDeviceCertificate,
  encodeDeviceKeys,
  encodeIdentityKeyPair,
  type IdentityKeyPair,
  type LocalDevice,
  markSecret,
} from '@sotto/crypto';
import { array, bytes, object, optional, text, uint } from '@sotto/protocol';
import { decodeRecord, encodeRecord } from './records.js';
import type { ClientStore, StoreOp } from './store/store.js';
import { put } from './store/store.js';

const profileSchema = object({
  v: uint({ min: 1, max: 1 }),
  account: text({ min: 1, max: 64 }),
  deviceId: uint({ max: 0xffff_ffff }),
  identity: bytes({ max: 256 }),
  device: bytes({ max: 512 }),
  certificate: bytes({ max: 1024 }),
  servers: array(text({ min: 1, max: 2048 }), { max: 16 }),
  createdAt: uint(),
  deviceName: optional(text({ max: 128 })),
});

const countersSchema = object({
  /** Next message sequence number of this device. */
  seq: uint(),
  /** Next prekey id (shared by one-time X25519 and KEM prekeys; both are u32 and unique per kind). */
  nextPrekeyId: uint({ max: 0xffff_ffff }),
  /** The id of the current signed prekey and last-resort KEM prekey (0 = none uploaded yet). */
  signedPrekeyId: uint({ max: 0xffff_ffff }),
  signedPrekeyAt: uint(),
});

/** Mutable counters of this device. */
export interface Counters {
  seq: number;
  nextPrekeyId: number;
  signedPrekeyId: number;
  signedPrekeyAt: number;
}

/** This device as loaded from the store. Renders as `[redacted]` (it holds secrets). */
export interface Profile {
  readonly account: string;
  readonly deviceId: number;
  readonly identity: IdentityKeyPair;
  readonly device: DeviceKeys;
  readonly certificate: DeviceCertificate;
  readonly servers: readonly string[];
  readonly createdAt: number;
  readonly deviceName?: string | undefined;
}

/** The session layer's view of this device. */
export function localDevice(profile: Profile): LocalDevice {
  return { certificate: profile.certificate, keys: profile.device };
}

/** The operations that store a new profile and fresh counters. */
export function profileOps(profile: Profile): StoreOp[] {
  return [
    put(
      'meta',
      'profile',
      encodeRecord(profileSchema, {
        v: 1,
        account: profile.account,
        deviceId: profile.deviceId,
        identity: encodeIdentityKeyPair(profile.identity),
        device: encodeDeviceKeys(profile.device),
        certificate: encodeDeviceCertificate(profile.certificate),
        servers: [...profile.servers],
        createdAt: profile.createdAt,
        deviceName: profile.deviceName,
      }),
    ),
    countersOp({ seq: 1, nextPrekeyId: 1, signedPrekeyId: 0, signedPrekeyAt: 0 }),
  ];
}

/** Loads the profile, or undefined when the store holds none. Throws MALFORMED_ENCODING if corrupted. */
export async function loadProfile(p: CryptoProvider, store: ClientStore): Promise<Profile | undefined> {
  const raw = await store.get('meta', 'profile');
  if (raw === undefined) return undefined;
  const r = decodeRecord(profileSchema, raw);
  return markSecret({
    account: r.account,
    deviceId: r.deviceId,
    identity: await decodeIdentityKeyPair(p, r.identity),
    device: await decodeDeviceKeys(p, r.device),
    certificate: decodeDeviceCertificate(r.certificate),
    servers: r.servers,
    createdAt: r.createdAt,
    deviceName: r.deviceName,
  });
}

/** The stored counters. */
export async function loadCounters(store: ClientStore): Promise<Counters> {
  const raw = await store.get('meta', 'counters');
  if (raw === undefined) return { seq: 1, nextPrekeyId: 1, signedPrekeyId: 0, signedPrekeyAt: 0 };
  return { ...decodeRecord(countersSchema, raw) };
}

/** The operation that stores `c`. */
export function countersOp(c: Counters): StoreOp {
  return put('meta', 'counters', encodeRecord(countersSchema, c));
}
