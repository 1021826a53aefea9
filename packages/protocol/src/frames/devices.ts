/**
 * Device frames: read an account's devices, publish a new signed device list, revoke a device.
 */

import { WIRE_BOUNDS } from '../limits.js';
import { accountName } from '../names.js';
import { array, frame } from '../schema/object.js';
import { optional } from '../schema/primitives.js';
import { certificateBytes, deviceId, deviceListBytes, identityKeyBytes, requestId } from './common.js';

/** Client → server: the identity key, signed device list and certificates of `account`. */
export const devicesGetFrame = frame('devices.get', { id: requestId, account: accountName });

/** Server → client: answer to `devices.get` (the client verifies all signatures itself). */
export const devicesGetResultFrame = frame('devices.get.result', {
  id: requestId,
  account: accountName,
  identityKey: identityKeyBytes,
  deviceList: deviceListBytes,
  certificates: array(certificateBytes, { max: WIRE_BOUNDS.devicesPerAccount }),
});

/**
 * Client → server: replace the authenticated account's device list with a newer one signed by the
 * identity key, optionally with the certificate of a device it adds (DEVICE_LIST_REJECTED). Answer: `ok`.
 */
export const devicesPublishFrame = frame('devices.publish', {
  id: requestId,
  deviceList: deviceListBytes,
  certificate: optional(certificateBytes),
});

/**
 * Client → server: revoke `deviceId` by publishing a newer signed list without it; the server
 * drops that device's prekeys, mailbox and connections. Answer: `ok`.
 */
export const devicesRevokeFrame = frame('devices.revoke', {
  id: requestId,
  deviceId,
  deviceList: deviceListBytes,
});

/** Server → client push: the device list of `account` (a contact's or one's own) changed. */
export const devicesChangedFrame = frame('devices.changed', { account: accountName });
