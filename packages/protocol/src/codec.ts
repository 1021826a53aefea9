/**
 * The frame and body codec: size check before parsing, strict CBOR, then the schema of the frame's
 * type. Every failure is a {@link SottoError} with a stable code and a message that never contains
 * the input bytes.
 */

import { SottoError } from '@sotto/crypto';
import { decodeCbor } from './cbor/decode.js';
import { encodeCbor } from './cbor/encode.js';
import { MAX_REQUEST_ID } from './frames/common.js';
import {
  CLIENT_FRAMES,
  type ClientFrame,
  FRAME_SCHEMAS,
  type Frame,
  SERVER_FRAMES,
  type ServerFrame,
} from './frames/index.js';
import { DEFAULT_LIMITS, type Limits, WIRE_BOUNDS } from './limits.js';
import { type Schema, validate } from './schema/core.js';
import { isRecord } from './schema/object.js';

/** The MIME type of every HTTP request and response body. */
export const CBOR_CONTENT_TYPE = 'application/cbor';

/** Which side sent a frame; restricts decoding to the types that side may send. */
export type FrameSender = 'client' | 'server';

const cborOptions = { maxDepth: WIRE_BOUNDS.cborDepth };

function checkSize(bytes: unknown, max: number, what: string): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new SottoError('BAD_FRAME', `${what} is not bytes`);
  if (bytes.length > max) throw new SottoError('FRAME_TOO_LARGE', `${what} exceeds ${max} bytes`);
}

function tableFor(from: FrameSender | undefined): Record<string, Schema<unknown>> {
  if (from === 'client') return CLIENT_FRAMES;
  if (from === 'server') return SERVER_FRAMES;
  return FRAME_SCHEMAS;
}

/**
 * Validates and encodes a frame as deterministic CBOR (into `allocate(length)` when given, see
 * {@link encodeCbor}).
 * @throws SottoError BAD_FRAME when the frame does not match its schema, UNKNOWN_FRAME_TYPE for an
 *   unknown `t`, FRAME_TOO_LARGE when the encoding exceeds `limits.maxFrameBytes`.
 */
export function encodeFrame(
  frame: Frame,
  limits: Pick<Limits, 'maxFrameBytes'> = DEFAULT_LIMITS,
  allocate?: (length: number) => Uint8Array,
): Uint8Array {
  const schema = schemaOf(frame, undefined);
  // Checked, not copied: the checked frame is only encoded.
  const bytes = encodeCbor(validate(schema, frame, 'BAD_FRAME', true), allocate);
  checkSize(bytes, limits.maxFrameBytes, 'frame');
  return bytes;
}

/**
 * Decodes one WebSocket frame: size check first, then strict CBOR, then the schema of its type.
 * With `from`, only the types that side may send are accepted.
 * @returns a fresh, validated frame.
 * @throws SottoError FRAME_TOO_LARGE, BAD_FRAME or UNKNOWN_FRAME_TYPE; never another exception.
 */
export function decodeFrame(
  bytes: Uint8Array,
  limits: Pick<Limits, 'maxFrameBytes'>,
  from: 'client',
): ClientFrame;
export function decodeFrame(
  bytes: Uint8Array,
  limits: Pick<Limits, 'maxFrameBytes'>,
  from: 'server',
): ServerFrame;
export function decodeFrame(
  bytes: Uint8Array,
  limits?: Pick<Limits, 'maxFrameBytes'>,
  from?: FrameSender,
): Frame;
export function decodeFrame(
  bytes: Uint8Array,
  limits: Pick<Limits, 'maxFrameBytes'> = DEFAULT_LIMITS,
  from?: FrameSender,
): Frame {
  const result = tryDecodeFrame(bytes, limits, from);
  if (!result.ok) throw result.error;
  return result.frame;
}

/** The outcome of {@link tryDecodeFrame}. */
export type DecodeResult<F> =
  | { readonly ok: true; readonly frame: F }
  | { readonly ok: false; readonly error: SottoError; readonly id?: number };

/**
 * Like {@link decodeFrame}, but returns the failure instead of throwing it, with the request `id` when
 * the frame was well-formed CBOR carrying a valid one, so the server can answer `error { id }`. Byte
 * strings are copied out of `bytes` into `allocate(length)` when given (`CborDecodeOptions.allocate`),
 * never left as views of it.
 */
export function tryDecodeFrame(
  bytes: Uint8Array,
  limits: Pick<Limits, 'maxFrameBytes'>,
  from: 'client',
  allocate?: (length: number) => Uint8Array,
): DecodeResult<ClientFrame>;
export function tryDecodeFrame(
  bytes: Uint8Array,
  limits: Pick<Limits, 'maxFrameBytes'>,
  from: 'server',
  allocate?: (length: number) => Uint8Array,
): DecodeResult<ServerFrame>;
export function tryDecodeFrame(
  bytes: Uint8Array,
  limits?: Pick<Limits, 'maxFrameBytes'>,
  from?: FrameSender,
  allocate?: (length: number) => Uint8Array,
): DecodeResult<Frame>;
export function tryDecodeFrame(
  bytes: Uint8Array,
  limits: Pick<Limits, 'maxFrameBytes'> = DEFAULT_LIMITS,
  from?: FrameSender,
  allocate?: (length: number) => Uint8Array,
): DecodeResult<Frame> {
  let value: unknown;
  try {
    value = guard(() => {
      checkSize(bytes, limits.maxFrameBytes, 'frame');
      return decodeCbor(bytes, allocate === undefined ? cborOptions : { ...cborOptions, allocate });
    });
  } catch (err) {
    return { ok: false, error: err as SottoError };
  }
  try {
    return {
      ok: true,
      frame: guard(() => validate(schemaOf(value, from), value, 'BAD_FRAME', true) as Frame),
    };
  } catch (err) {
    const id = isRecord(value) && Object.hasOwn(value, 'id') ? value.id : undefined;
    const validId = typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 && id <= MAX_REQUEST_ID;
    return validId ? { ok: false, error: err as SottoError, id } : { ok: false, error: err as SottoError };
  }
}

function schemaOf(value: unknown, from: FrameSender | undefined): Schema<unknown> {
  if (!isRecord(value)) throw new SottoError('BAD_FRAME', 'Invalid frame: expected a map');
  const t = Object.hasOwn(value, 't') ? value.t : undefined;
  if (typeof t !== 'string') throw new SottoError('BAD_FRAME', 'Invalid frame: t is required');
  const table = tableFor(from);
  const schema = Object.hasOwn(table, t) ? table[t] : undefined;
  if (schema === undefined) throw new SottoError('UNKNOWN_FRAME_TYPE');
  return schema;
}

/**
 * Validates and encodes an HTTP body (request or response) with `schema`.
 * @throws SottoError BAD_FRAME when the value does not match, FRAME_TOO_LARGE beyond `limits.maxBodyBytes`.
 */
export function encodeBody<T>(
  schema: Schema<T>,
  value: T,
  limits: Pick<Limits, 'maxBodyBytes'> = DEFAULT_LIMITS,
): Uint8Array {
  const bytes = encodeCbor(validate(schema, value, 'BAD_FRAME', true));
  checkSize(bytes, limits.maxBodyBytes, 'body');
  return bytes;
}

/**
 * Decodes an HTTP body: size check first, strict CBOR, then `schema`.
 * @throws SottoError FRAME_TOO_LARGE or BAD_FRAME; never another exception.
 */
export function decodeBody<T>(
  schema: Schema<T>,
  bytes: Uint8Array,
  limits: Pick<Limits, 'maxBodyBytes'> = DEFAULT_LIMITS,
): T {
  return guard(() => {
    checkSize(bytes, limits.maxBodyBytes, 'body');
    return validate(schema, decodeCbor(bytes, cborOptions), 'BAD_FRAME', true);
  });
}

/** Runs `fn`, turning anything but a SottoError (a bug, or a RangeError from the engine) into BAD_FRAME. */
function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (SottoError.is(err)) throw err;
    throw new SottoError('BAD_FRAME', 'Frame could not be decoded', { cause: err });
  }
}
