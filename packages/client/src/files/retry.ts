/**
 * Retrying transfers: which failures are worth another attempt, exponential backoff with jitter, and
 * waits that end at once when the transfer is cancelled.
 */

import { SottoError } from '@sotto/crypto';
import { TusError } from './tus.js';

/** Consecutive failed attempts without progress before a transfer gives up for now. */
export const MAX_STALLS = 8;

/** True when another attempt may succeed (a dropped connection, a server error, an offset conflict). */
export function transient(err: unknown): boolean {
  if (err instanceof TusError) return err.transient;
  return SottoError.is(err, 'NOT_CONNECTED') || SottoError.is(err, 'TIMEOUT');
}

/** The delay before attempt `stalls + 1`: doubling from `minMs` up to `maxMs`, with jitter. */
export function backoffMs(stalls: number, minMs: number, maxMs: number): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(stalls, 16));
  return base / 2 + Math.random() * (base / 2);
}

/** Waits `ms`; rejects with CANCELLED as soon as `signal` is aborted. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new SottoError('CANCELLED'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new SottoError('CANCELLED'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** CANCELLED when `signal` was aborted, else `err` itself. */
export function cancelledOr(err: unknown, signal: AbortSignal): unknown {
  return signal.aborted && !SottoError.is(err, 'CANCELLED')
    ? new SottoError('CANCELLED', undefined, { cause: err })
    : err;
}
