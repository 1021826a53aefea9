/**
 * Login bodies (`POST /v1/login/start` and `/finish`) and adding a device (`POST /v1/devices`).
 */

import {
  backupBytes,
  certificateBytes,
  deviceId,
  deviceListBytes,
  identityKeyBytes,
  timestampMs,
} from '../frames/common.js';
import { accountName } from '../names.js';
import type { Infer } from '../schema/core.js';
import { object } from '../schema/object.js';
import { bytes } from '../schema/primitives.js';
import { opaqueMessage } from './opaque.js';

/** Length of a login id (server state handle between login start and finish). */
export const LOGIN_ID_BYTES = 16;
/** Length of a login ticket. */
export const LOGIN_TICKET_BYTES = 32;

/** A random handle for the server's OPAQUE login state. */
export const loginId = bytes({ length: LOGIN_ID_BYTES });
/** A short-lived bearer secret proving a finished OPAQUE login; never logged. */
export const loginTicket = bytes({ length: LOGIN_TICKET_BYTES });

/** Request of `login/start`: the OPAQUE credential request for `account`. */
export const loginStartRequest = object({ account: accountName, startLoginRequest: opaqueMessage });
/** Request of `login/start`. */
export type LoginStartRequest = Infer<typeof loginStartRequest>;

/**
 * Response of `login/start`: the OPAQUE credential response and the id of the server's login state.
 * An unknown account gets an indistinguishable fake response (no account enumeration).
 */
export const loginStartResponse = object({ loginId, loginResponse: opaqueMessage });
/** Response of `login/start`. */
export type LoginStartResponse = Infer<typeof loginStartResponse>;

/** Request of `login/finish`: the OPAQUE finalization for login `loginId`. Error: LOGIN_FAILED. */
export const loginFinishRequest = object({ loginId, finishLoginRequest: opaqueMessage });
/** Request of `login/finish`. */
export type LoginFinishRequest = Infer<typeof loginFinishRequest>;

/**
 * Response of `login/finish`: a login ticket valid until `ticketExpiresAt` (ms since the epoch) and
 * the account's identity key and encrypted backup, which the OPAQUE export key opens.
 */
export const loginFinishResponse = object({
  account: accountName,
  ticket: loginTicket,
  ticketExpiresAt: timestampMs,
  identityKey: identityKeyBytes,
  backup: backupBytes,
});
/** Response of `login/finish`. */
export type LoginFinishResponse = Infer<typeof loginFinishResponse>;

/**
 * Request of `POST /v1/devices`: add a device with a login ticket, its certificate and a newer device
 * list signed by the identity key that includes it. Errors: UNAUTHENTICATED, DEVICE_LIST_REJECTED.
 */
export const addDeviceRequest = object({
  ticket: loginTicket,
  certificate: certificateBytes,
  deviceList: deviceListBytes,
});
/** Request of `POST /v1/devices`. */
export type AddDeviceRequest = Infer<typeof addDeviceRequest>;

/** Response of `POST /v1/devices`: the added device. */
export const addDeviceResponse = object({ account: accountName, deviceId });
/** Response of `POST /v1/devices`. */
export type AddDeviceResponse = Infer<typeof addDeviceResponse>;
