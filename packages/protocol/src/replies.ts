/**
 * Turning a thrown error into what goes back on the wire: an `error` frame or an HTTP error body.
 * Only a SottoError's code and sentence are sent; anything else becomes INTERNAL with the registry
 * sentence, so a stack trace, a driver message or a secret can never leak to the peer.
 */

import { ERROR_CODES, type ErrorCode, SottoError } from '@sotto/crypto';
import type { FrameOf } from './frames/index.js';
import type { DeviceMismatch } from './frames/misc.js';
import type { ErrorBody } from './http/errors.js';
import { WIRE_BOUNDS } from './limits.js';

function safeParts(err: unknown): { code: ErrorCode; message: string } {
  if (!SottoError.is(err)) return { code: 'INTERNAL', message: ERROR_CODES.INTERNAL };
  const max = WIRE_BOUNDS.errorMessageChars;
  // Control characters are stripped so the sentence is safe to show and fits the schema.
  const clean = err.message.replace(/\p{Cc}/gu, ' ');
  const chars = [...clean];
  const message = chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : clean;
  return { code: err.code, message };
}

/**
 * The `error` frame answering request `id` (omit `id` for a connection-level error). `devices` is
 * attached only when the code is DEVICE_MISMATCH.
 */
export function toErrorFrame(err: unknown, id?: number, devices?: DeviceMismatch): FrameOf<'error'> {
  const { code, message } = safeParts(err);
  const frame: FrameOf<'error'> = { t: 'error', code, message };
  if (id !== undefined) frame.id = id;
  if (devices !== undefined && code === 'DEVICE_MISMATCH') frame.devices = devices;
  return frame;
}

/** The HTTP error body for `err` (see {@link toErrorFrame}); pair it with `httpStatusFor(body.code)`. */
export function toErrorBody(err: unknown, devices?: DeviceMismatch): ErrorBody {
  const { code, message } = safeParts(err);
  return devices !== undefined && code === 'DEVICE_MISMATCH' ? { code, message, devices } : { code, message };
}
