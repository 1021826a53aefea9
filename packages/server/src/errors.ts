/**
 * Errors the server answers with: a stable code from the one registry (@sotto/crypto's ERROR_CODES,
 * extended by @sotto/protocol) and a human sentence with no secret in it. Over HTTP the status comes from
 * the protocol's `httpStatusFor`; over WebSocket it becomes an `error` frame with the request id.
 */
import { type DeviceMismatch, ERROR_CODES, type ErrorCode, httpStatusFor, SottoError } from '@sotto/protocol';

/**
 * An error meant for the peer. `devices` is set only for DEVICE_MISMATCH, `epoch` (the group's current
 * epoch) only for STALE_EPOCH.
 */
export class ApiError extends SottoError {
  readonly status: number;

  constructor(
    code: ErrorCode,
    message: string = ERROR_CODES[code],
    readonly devices?: DeviceMismatch,
    readonly epoch?: number,
  ) {
    super(code, message);
    this.status = httpStatusFor(code);
  }
}

/** The peer-facing form of any error: ApiError and SottoError keep their code; anything else is INTERNAL. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (SottoError.is(err)) return new ApiError(err.code, ERROR_CODES[err.code]);
  return new ApiError('INTERNAL');
}
