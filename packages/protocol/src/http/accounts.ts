/**
 * Registration bodies: `POST /v1/accounts/register/start` and `/finish`, and the device directory
 * answer of `GET /v1/accounts/:name/devices`.
 */

import {
  backupBytes,
  certificateBytes,
  deviceId,
  deviceListBytes,
  identityKeyBytes,
} from '../frames/common.js';
import { WIRE_BOUNDS } from '../limits.js';
import { accountName } from '../names.js';
import type { Infer } from '../schema/core.js';
import { array, object } from '../schema/object.js';
import { opaqueMessage } from './opaque.js';

/** Request of `register/start`: the OPAQUE registration request for `account`. */
export const registerStartRequest = object({ account: accountName, registrationRequest: opaqueMessage });
/** Request of `register/start`. */
export type RegisterStartRequest = Infer<typeof registerStartRequest>;

/** Response of `register/start`: the server's OPAQUE registration response. */
export const registerStartResponse = object({ registrationResponse: opaqueMessage });
/** Response of `register/start`. */
export type RegisterStartResponse = Infer<typeof registerStartResponse>;

/**
 * Request of `register/finish`: the OPAQUE registration record, the identity key, the first device's
 * certificate, the device list signed by the identity key (naming that device) and the encrypted
 * backup. Errors: ACCOUNT_EXISTS, DEVICE_LIST_REJECTED, BAD_FRAME, RATE_LIMITED.
 */
export const registerFinishRequest = object({
  account: accountName,
  registrationRecord: opaqueMessage,
  identityKey: identityKeyBytes,
  deviceCertificate: certificateBytes,
  deviceList: deviceListBytes,
  backup: backupBytes,
});
/** Request of `register/finish`. */
export type RegisterFinishRequest = Infer<typeof registerFinishRequest>;

/** Response of `register/finish`: the account and its first device, as the server recorded them. */
export const registerFinishResponse = object({ account: accountName, deviceId });
/** Response of `register/finish`. */
export type RegisterFinishResponse = Infer<typeof registerFinishResponse>;

/** Response of `GET /v1/accounts/:name/devices` (ACCOUNT_NOT_FOUND when there is none). */
export const accountDevicesResponse = object({
  account: accountName,
  identityKey: identityKeyBytes,
  deviceList: deviceListBytes,
  certificates: array(certificateBytes, { max: WIRE_BOUNDS.devicesPerAccount }),
});
/** Response of `GET /v1/accounts/:name/devices`. */
export type AccountDevicesResponse = Infer<typeof accountDevicesResponse>;
