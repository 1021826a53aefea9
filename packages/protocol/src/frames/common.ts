/**
 * Field schemas shared by several frames.
 */

import { WIRE_BOUNDS } from '../limits.js';
import { accountName } from '../names.js';
import type { Infer } from '../schema/core.js';
import { object } from '../schema/object.js';
import { bytes, text, uint } from '../schema/primitives.js';

/** Largest request id (u32); clients count up and wrap. */
export const MAX_REQUEST_ID = 0xffff_ffff;

/** A request id chosen by the client; every answer carries the same id. */
export const requestId = uint({ max: MAX_REQUEST_ID });

/** A device id within an account (u32, as in crypto's device certificate and device list). */
export const deviceId = uint({ max: 0xffff_ffff });

/** Milliseconds since the Unix epoch, as measured by the server. */
export const timestampMs = uint();

/** Length of a server-assigned envelope id. */
export const ENVELOPE_ID_BYTES = 16;

/** A server-assigned envelope id (random, 16 bytes); clients de-duplicate deliveries by it. */
export const envelopeId = bytes({ length: ENVELOPE_ID_BYTES });

/** One device of one account. */
export const deviceAddress = object({ account: accountName, deviceId });

/** One device of one account. */
export type DeviceAddress = Infer<typeof deviceAddress>;

/** An encoded identity public key (crypto's versioned key encoding). */
export const identityKeyBytes = bytes({ min: 1, max: WIRE_BOUNDS.identityKeyBytes });
/** An encoded device certificate signed by the identity key. */
export const certificateBytes = bytes({ min: 1, max: WIRE_BOUNDS.certificateBytes });
/** An encoded device list signed by the identity key. */
export const deviceListBytes = bytes({ min: 1, max: WIRE_BOUNDS.deviceListBytes });
/** An encoded X25519 prekey (signed or one-time). */
export const ecPrekeyBytes = bytes({ min: 1, max: WIRE_BOUNDS.ecPrekeyBytes });
/** An encoded signed ML-KEM-768 prekey (one-time or last-resort). */
export const kemPrekeyBytes = bytes({ min: 1, max: WIRE_BOUNDS.kemPrekeyBytes });
/** An encrypted identity-key backup (opaque to the server). */
export const backupBytes = bytes({ min: 1, max: WIRE_BOUNDS.backupBytes });
/** An end-to-end ciphertext (opaque to the server). */
export const messageBody = bytes({ min: 1, max: WIRE_BOUNDS.messageBodyBytes });

/** Human-readable text of at most `max` characters with no control characters (C0, DEL, C1). */
export function displayText(max: number) {
  return text({ max, pattern: /^\P{Cc}*$/u, what: 'free of control characters' });
}
