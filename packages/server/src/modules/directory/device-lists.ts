/**
 * Device-list and certificate rules (DESIGN §3): the server stores an account's device list only when it
 * is signed by the account's identity key, names this account, and is newer than the one it replaces; and
 * a device certificate only when the identity key issued it for a device and signing key of that list.
 * The server cannot forge either; it only refuses bad ones (DEVICE_LIST_REJECTED).
 */
import {
  type CryptoProvider,
  type DeviceList,
  decodeDeviceCertificate,
  decodeDeviceList,
  equalBytes,
  isNewerDeviceList,
  verifyDeviceCertificate,
  verifyDeviceList,
} from '@sotto/crypto';
import { WIRE_BOUNDS } from '@sotto/protocol';
import { ApiError } from '../../errors.js';
import type { DeviceListUpdate } from '../../store/store.js';

const rejected = (why: string) =>
  new ApiError('DEVICE_LIST_REJECTED', `The device list was refused: ${why}.`);

/**
 * Decodes and verifies `bytes` as `account`'s device list signed by `identityKey` (raw), newer than
 * `current` (when given). Throws ApiError DEVICE_LIST_REJECTED.
 */
export async function checkDeviceList(
  p: CryptoProvider,
  account: string,
  identityKey: Uint8Array,
  bytes: Uint8Array,
  current?: Uint8Array,
): Promise<DeviceListUpdate> {
  let list: DeviceList;
  try {
    list = decodeDeviceList(bytes);
  } catch {
    throw rejected('it could not be decoded');
  }
  if (list.accountName !== account) throw rejected('it names another account');
  // Bundles and certificate lists on the wire hold at most this many devices.
  if (list.devices.length === 0 || list.devices.length > WIRE_BOUNDS.devicesPerAccount) {
    throw rejected(`it must name 1 to ${WIRE_BOUNDS.devicesPerAccount} devices`);
  }
  try {
    await verifyDeviceList(p, list, identityKey);
  } catch {
    throw rejected('it is not signed by the identity key');
  }
  if (current !== undefined && !isNewerDeviceList(decodeDeviceList(current), list)) {
    throw rejected('it is not newer than the current one');
  }
  return {
    deviceList: bytes,
    version: list.version,
    devices: list.devices.map((d) => ({ deviceId: d.deviceId, signingKey: d.signingKey })),
  };
}

/**
 * Verifies a device certificate issued by `identityKey` for `account` and for a device of `update`
 * with the same signing key; returns the update with the certificate attached to that device.
 * Throws ApiError DEVICE_LIST_REJECTED.
 */
export async function attachCertificate(
  p: CryptoProvider,
  account: string,
  identityKey: Uint8Array,
  update: DeviceListUpdate,
  certificate: Uint8Array,
): Promise<{ update: DeviceListUpdate; deviceId: number }> {
  let cert: ReturnType<typeof decodeDeviceCertificate>;
  try {
    cert = decodeDeviceCertificate(certificate);
    await verifyDeviceCertificate(p, cert, identityKey);
  } catch {
    throw rejected('the device certificate is not signed by the identity key');
  }
  const device = update.devices.find((d) => d.deviceId === cert.deviceId);
  if (
    cert.accountName !== account ||
    device === undefined ||
    !equalBytes(device.signingKey, cert.signingKey)
  ) {
    throw rejected('the device certificate is for a device not in the list');
  }
  const devices = update.devices.map((d) => (d === device ? { ...d, certificate } : d));
  return { update: { ...update, devices }, deviceId: cert.deviceId };
}
