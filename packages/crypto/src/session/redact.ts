/**
 * Secret-holding session objects render as `[redacted]` (see {@link markSecret}). They inherit the
 * rendering from one shared, marked prototype: marking each new object would define four properties per
 * message, microseconds on the hot path, while inheriting costs nothing. Fields stay plain own data.
 */

import { markSecret } from '../secret.js';

const REDACTED_PROTOTYPE = markSecret({});

/** Makes `obj` render as `[redacted]` (in `console.log`, `util.inspect`, JSON, strings); returns it. */
export function redacted<T extends object>(obj: T): T {
  return Object.setPrototypeOf(obj, REDACTED_PROTOTYPE) as T;
}
