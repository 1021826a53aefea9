/**
 * HTTP error bodies and the status code for each error code.
 */

import type { ErrorCode } from '@sotto/crypto';
import { displayText } from '../frames/common.js';
import { deviceMismatch, errorCode } from '../frames/misc.js';
import { WIRE_BOUNDS } from '../limits.js';
import type { Infer } from '../schema/core.js';
import { object } from '../schema/object.js';
import { optional } from '../schema/primitives.js';

/** Body of every non-2xx API response: the same code and sentence as an `error` frame. */
export const errorBody = object({
  code: errorCode,
  message: displayText(WIRE_BOUNDS.errorMessageChars),
  devices: optional(deviceMismatch),
});
/** Body of every non-2xx API response. */
export type ErrorBody = Infer<typeof errorBody>;

const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_FRAME: 400,
  INVALID_ARGUMENT: 400,
  INVALID_ACCOUNT_NAME: 400,
  MALFORMED_ENCODING: 400,
  UNSUPPORTED_VERSION: 400,
  PREKEY_SIGNATURE_INVALID: 400,
  UNKNOWN_FRAME_TYPE: 400,
  UNAUTHENTICATED: 401,
  AUTH_CHALLENGE_FAILED: 401,
  LOGIN_FAILED: 401,
  BLOCKED: 403,
  REGISTRATION_CLOSED: 403,
  INVITE_INVALID: 403,
  ACCOUNT_DISABLED: 403,
  NOT_A_CONTACT: 403,
  ACCOUNT_NOT_FOUND: 404,
  DEVICE_NOT_FOUND: 404,
  ACCOUNT_EXISTS: 409,
  DEVICE_MISMATCH: 409,
  DEVICE_LIST_REJECTED: 409,
  NO_PREKEYS: 409,
  FRAME_TOO_LARGE: 413,
  INVALID_SIGNATURE: 422,
  INVALID_PUBLIC_KEY: 422,
  MAILBOX_FULL: 429,
  RATE_LIMITED: 429,
  VERIFICATION_FAILED: 403,
  NOTIFICATIONS_UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** The HTTP status for an error code (500 for codes that only an internal failure produces). */
export function httpStatusFor(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}
