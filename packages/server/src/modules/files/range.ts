/**
 * The `Range` header of a download (RFC 9110 §14): one range of bytes, `bytes=N-` (how a download resumes),
 * `bytes=N-M` or `bytes=-N` (the last N). Anything else (several ranges, other units, garbage) is ignored
 * and the whole file is sent, as §14.2 allows.
 */

/** What to send of a file of `size` bytes: bytes `start` to `end` (exclusive). */
export type RangeDecision =
  | { readonly kind: 'whole' }
  | { readonly kind: 'partial'; readonly start: number; readonly end: number }
  | { readonly kind: 'unsatisfiable' };

const SINGLE = /^bytes=(\d{0,16})-(\d{0,16})$/;

/** Decides what a `Range` header value asks of a file of `size` bytes. */
export function decideRange(header: string | undefined, size: number): RangeDecision {
  if (header === undefined) return { kind: 'whole' };
  const m = SINGLE.exec(header.trim());
  const first = m?.[1] ?? '';
  const last = m?.[2] ?? '';
  if (m === null || (first === '' && last === '')) return { kind: 'whole' };
  if (first === '') {
    // A suffix range: the last `last` bytes.
    const n = Number(last);
    if (n === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - n), end: size };
  }
  const start = Number(first);
  const end = last === '' ? Number.POSITIVE_INFINITY : Number(last) + 1;
  if (end <= start) return { kind: 'whole' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(end, size) };
}
