/**
 * The account's device list (DESIGN §3), signed by the identity key so the server can store and serve it
 * but cannot add, remove or swap a device. A monotonically increasing `version` lets clients refuse a
 * rolled-back list ({@link isNewerDeviceList}).
 *
 * Encoding: `[version][0x22] identityKey accountName listVersion u32 issuedAt u64 count u8
 * (deviceId u32, signingKey)* | signature`, signed as `LABELS.keysDeviceList || everything before it`.
 */

import { ByteReader, ByteWriter } from '../binary.js';
import { abytes, equalBytes, toHex } from '../bytes.js';
import { SottoError } from '../errors.js';
import { LABELS } from '../labels.js';
import type { CryptoProvider } from '../provider.js';
import { SIZES } from '../provider.js';
import {
  checkAccountName,
  checkTimestamp,
  checkU32,
  readAccountName,
  readHeader,
  StructureTag,
  writeHeader,
} from './encoding.js';
import type { IdentityKeyPair } from './identity.js';
import { KeyType, readPublicKey, writePublicKey } from './key-types.js';

/** Most devices one account may have. */
export const MAX_DEVICES = 64;

/** One device in the list: its id and Ed25519 signing public key (raw). */
export interface DeviceListEntry {
  readonly deviceId: number;
  readonly signingKey: Uint8Array;
}

/** What the identity key signs. */
export interface DeviceListFields {
  readonly accountName: string;
  /** u32; each new list of an account has a higher version than the last. */
  readonly version: number;
  /** At most {@link MAX_DEVICES}; device ids and signing keys are unique. */
  readonly devices: readonly DeviceListEntry[];
  /** Milliseconds since the Unix epoch. */
  readonly issuedAt: number;
}

/** A signed device list. */
export interface DeviceList extends DeviceListFields {
  /** The account identity public key (raw). */
  readonly identityKey: Uint8Array;
  readonly signature: Uint8Array;
}

/** Throws (INVALID_ARGUMENT when writing, MALFORMED_ENCODING when reading) on too many or duplicate devices. */
function checkDevices(devices: readonly DeviceListEntry[], code: 'INVALID_ARGUMENT' | 'MALFORMED_ENCODING') {
  if (devices.length > MAX_DEVICES)
    throw new SottoError(code, `device list: more than ${MAX_DEVICES} devices`);
  const ids = new Set<number>();
  const keys = new Set<string>();
  for (const d of devices) {
    if (ids.has(d.deviceId)) throw new SottoError(code, 'device list: duplicate device id');
    // Two device ids sharing one signing key would let one device answer for another.
    const key = toHex(d.signingKey);
    if (keys.has(key)) throw new SottoError(code, 'device list: duplicate signing key');
    ids.add(d.deviceId);
    keys.add(key);
  }
}

function writeBody(w: ByteWriter, identityKey: Uint8Array, f: DeviceListFields): void {
  if (!Array.isArray(f.devices))
    throw new SottoError('INVALID_ARGUMENT', 'device list: devices must be an array');
  checkDevices(f.devices, 'INVALID_ARGUMENT');
  writeHeader(w, StructureTag.deviceList);
  writePublicKey(w, KeyType.identity, identityKey);
  w.string(checkAccountName(f.accountName));
  w.u32(checkU32(f.version, 'device list version'));
  w.u64(checkTimestamp(f.issuedAt, 'issuedAt'));
  w.u8(f.devices.length);
  for (const d of f.devices) {
    w.u32(checkU32(d.deviceId, 'device id'));
    writePublicKey(w, KeyType.deviceSigning, d.signingKey);
  }
}

function signedMessage(identityKey: Uint8Array, f: DeviceListFields): Uint8Array {
  const w = new ByteWriter(512);
  w.string(LABELS.keysDeviceList);
  writeBody(w, identityKey, f);
  return w.finish();
}

function copyFields(f: DeviceListFields): DeviceListFields {
  const devices = Array.isArray(f.devices)
    ? f.devices.map((d) => ({ deviceId: d.deviceId, signingKey: d.signingKey }))
    : f.devices;
  return { accountName: f.accountName, version: f.version, devices, issuedAt: f.issuedAt };
}

/** Signs a device list with the identity key. Throws INVALID_ARGUMENT on duplicates, > 64 devices, bad fields. */
export async function signDeviceList(
  p: CryptoProvider,
  identity: IdentityKeyPair,
  fields: DeviceListFields,
): Promise<DeviceList> {
  const copy = copyFields(fields);
  const signature = await p.ed25519Sign(identity.secretKey, signedMessage(identity.publicKey, copy));
  return { ...copy, identityKey: identity.publicKey, signature };
}

/** Encodes a signed device list. */
export function encodeDeviceList(list: DeviceList): Uint8Array {
  const w = new ByteWriter(512);
  writeBody(w, list.identityKey, list);
  w.raw(abytes(list.signature, SIZES.ed25519Signature, 'signature'));
  return w.finish();
}

/**
 * Decodes a device list (no signature check: call {@link verifyDeviceList}). Throws MALFORMED_ENCODING
 * (including duplicates or > 64 devices), UNSUPPORTED_VERSION or WRONG_KEY_TYPE.
 */
export function decodeDeviceList(bytes: Uint8Array): DeviceList {
  abytes(bytes, undefined, 'device list');
  const r = new ByteReader(bytes, 'device list');
  readHeader(r, StructureTag.deviceList, 'device list');
  const identityKey = readPublicKey(r, KeyType.identity, 'identity key');
  const accountName = readAccountName(r);
  const version = r.u32();
  const issuedAt = r.u64();
  const count = r.u8();
  if (count > MAX_DEVICES)
    throw new SottoError('MALFORMED_ENCODING', `device list: more than ${MAX_DEVICES} devices`);
  const devices: DeviceListEntry[] = [];
  for (let i = 0; i < count; i++) {
    const deviceId = r.u32();
    devices.push({ deviceId, signingKey: readPublicKey(r, KeyType.deviceSigning, 'device signing key') });
  }
  const signature = r.raw(SIZES.ed25519Signature);
  r.finish();
  checkDevices(devices, 'MALFORMED_ENCODING');
  return { accountName, version, devices, issuedAt, identityKey, signature };
}

/**
 * Checks the list's signature and (when given) its identity key. Throws UNTRUSTED_IDENTITY when signed by
 * another identity key, INVALID_SIGNATURE when the signature fails.
 */
export async function verifyDeviceList(
  p: CryptoProvider,
  list: DeviceList,
  expectedIdentityKey?: Uint8Array,
): Promise<void> {
  if (expectedIdentityKey !== undefined && !equalBytes(list.identityKey, expectedIdentityKey)) {
    throw new SottoError('UNTRUSTED_IDENTITY', 'device list: signed by another identity key');
  }
  const message = signedMessage(list.identityKey, list);
  if (!(await p.ed25519Verify(list.identityKey, message, list.signature))) {
    throw new SottoError('INVALID_SIGNATURE', 'device list: signature does not verify');
  }
}

/**
 * True when `candidate` may replace `current`: same account and identity key, and a strictly higher version
 * (an equal or lower version is a replay or rollback). Compares fields only: verify both lists first.
 */
export function isNewerDeviceList(current: DeviceList | undefined, candidate: DeviceList): boolean {
  if (current === undefined) return true;
  return (
    current.accountName === candidate.accountName &&
    equalBytes(current.identityKey, candidate.identityKey) &&
    candidate.version > current.version
  );
}
