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
import { optional, text } from '../schema/primitives.js';
import { opaqueMessage } from './opaque.js';

/**
 * An invite an operator issued (`sotto-server admin tokens create`): base64url text the user copies, 16 to
 * 64 characters. Servers in `token` registration mode require one; others ignore it.
 */
export const inviteToken = text({
  min: 16,
  max: 64,
  pattern: /^[A-Za-z0-9_-]+$/,
  what: 'an invite (base64url)',
});

/**
 * Request of `register/start`: the OPAQUE registration request for `account`, and the invite when the
 * server asks for one. Errors: ACCOUNT_EXISTS, REGISTRATION_CLOSED, INVITE_INVALID, BAD_FRAME, RATE_LIMITED.
 */
export const registerStartRequest = object({
  account: accountName,
  registrationRequest: opaqueMessage,
  invite: optional(inviteToken),
});
/** Request of `register/start`. */
export type RegisterStartRequest = Infer<typeof registerStartRequest>;

/** Response of `register/start`: the server's OPAQUE registration response. */
export const registerStartResponse = object({ registrationResponse: opaqueMessage });
/** Response of `register/start`. */
export type RegisterStartResponse = Infer<typeof registerStartResponse>;

/**
 * Request of `register/finish`: the OPAQUE registration record, the identity key, the first device's
 * certificate, the device list signed by the identity key (naming that device), the encrypted backup, and
 * the invite (the same as in `register/start`; this request uses it up). Errors: ACCOUNT_EXISTS,
 * DEVICE_LIST_REJECTED, REGISTRATION_CLOSED, INVITE_INVALID, BAD_FRAME, RATE_LIMITED.
 */
export const registerFinishRequest = object({
  account: accountName,
  registrationRecord: opaqueMessage,
  identityKey: identityKeyBytes,
  deviceCertificate: certificateBytes,
  deviceList: deviceListBytes,
  backup: backupBytes,
  invite: optional(inviteToken),
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
