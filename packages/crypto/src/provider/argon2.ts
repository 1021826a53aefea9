/**
 * Argon2id (RFC 9106) for both backends, from `@noble/hashes`, with bounded parameters: backup headers
 * come from the server, and a hostile header must not be able to make a client allocate gigabytes or
 * spin for minutes.
 */
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { abytes } from '../bytes.js';
import { SottoError } from '../errors.js';
import type { Argon2idParams } from '../provider.js';

/** The accepted parameter ranges. Memory is in KiB; RFC 9106 §3.1 requires at least 8·p KiB. */
export const ARGON2ID_BOUNDS = {
  maxMemoryKiB: 256 * 1024,
  minIterations: 1,
  maxIterations: 10,
  minParallelism: 1,
  maxParallelism: 4,
  minLength: 16,
  maxLength: 64,
  minSaltLength: 16,
  maxSaltLength: 1024,
} as const;

function inRange(value: number, min: number, max: number): boolean {
  return Number.isSafeInteger(value) && value >= min && value <= max;
}

/** Throws INVALID_ARGUMENT unless `params` and `salt` are within {@link ARGON2ID_BOUNDS}. */
export function checkArgon2idParams(salt: Uint8Array, params: Argon2idParams): void {
  const b = ARGON2ID_BOUNDS;
  abytes(salt, undefined, 'argon2id salt');
  if (typeof params !== 'object' || params === null) {
    throw new SottoError('INVALID_ARGUMENT', 'argon2id: parameters missing');
  }
  if (!inRange(salt.length, b.minSaltLength, b.maxSaltLength)) {
    throw new SottoError(
      'INVALID_ARGUMENT',
      `argon2id: salt must be ${b.minSaltLength}..${b.maxSaltLength} bytes`,
    );
  }
  if (!inRange(params.parallelism, b.minParallelism, b.maxParallelism)) {
    throw new SottoError(
      'INVALID_ARGUMENT',
      `argon2id: parallelism must be ${b.minParallelism}..${b.maxParallelism}`,
    );
  }
  if (!inRange(params.memoryKiB, 8 * params.parallelism, b.maxMemoryKiB)) {
    throw new SottoError('INVALID_ARGUMENT', `argon2id: memory must be 8·parallelism..${b.maxMemoryKiB} KiB`);
  }
  if (!inRange(params.iterations, b.minIterations, b.maxIterations)) {
    throw new SottoError(
      'INVALID_ARGUMENT',
      `argon2id: iterations must be ${b.minIterations}..${b.maxIterations}`,
    );
  }
  if (!inRange(params.length, b.minLength, b.maxLength)) {
    throw new SottoError('INVALID_ARGUMENT', `argon2id: length must be ${b.minLength}..${b.maxLength} bytes`);
  }
}

/** RFC 9106 Argon2id (version 0x13) after {@link checkArgon2idParams}. */
export async function argon2id(
  password: Uint8Array,
  salt: Uint8Array,
  params: Argon2idParams,
): Promise<Uint8Array> {
  abytes(password, undefined, 'argon2id password');
  checkArgon2idParams(salt, params);
  return argon2idAsync(password, salt, {
    m: params.memoryKiB,
    t: params.iterations,
    p: params.parallelism,
    dkLen: params.length,
    // Defence in depth: noble refuses to allocate more than this, whatever the parameters say.
    maxmem: ARGON2ID_BOUNDS.maxMemoryKiB * 1024 + 1024 * 1024,
  });
}
