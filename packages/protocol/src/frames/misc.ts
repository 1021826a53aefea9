/**
 * Generic frames: success, error, ping/pong.
 */

import { ERROR_CODES, type ErrorCode } from '@sotto/crypto';
import { WIRE_BOUNDS } from '../limits.js';
import type { Infer } from '../schema/core.js';
import { array, frame, object } from '../schema/object.js';
import { oneOf, optional, uint } from '../schema/primitives.js';
import { deviceAddress, displayText, requestId } from './common.js';

/** Server → client: the request `id` succeeded (for requests without a richer answer). */
export const okFrame = frame('ok', { id: requestId });

/** Every error code of the registry, as a schema. */
export const errorCode = oneOf(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

const addresses = array(deviceAddress, { max: WIRE_BOUNDS.messagesPerSend });

/**
 * The device difference carried by a DEVICE_MISMATCH error: `missing` devices were not addressed,
 * `extra` addressed devices are not in the current device lists, `stale` addressed devices were
 * re-enrolled since the client last fetched them (reserved; empty while device ids are never reused).
 */
export const deviceMismatch = object({ missing: addresses, extra: addresses, stale: addresses });

/** The device difference carried by a DEVICE_MISMATCH error. */
export type DeviceMismatch = Infer<typeof deviceMismatch>;

/**
 * Server → client: a request failed, or (without `id`) the connection itself has a problem.
 * `message` is a human sentence with no secret; `devices` is present only for DEVICE_MISMATCH, `epoch`
 * (the group's current epoch) only for STALE_EPOCH.
 */
export const errorFrame = frame('error', {
  id: optional(requestId),
  code: errorCode,
  message: displayText(WIRE_BOUNDS.errorMessageChars),
  devices: optional(deviceMismatch),
  epoch: optional(uint()),
});

/** Either side: liveness check; the peer answers `pong` with the same id. */
export const pingFrame = frame('ping', { id: requestId });

/** Either side: answer to `ping`. */
export const pongFrame = frame('pong', { id: requestId });
