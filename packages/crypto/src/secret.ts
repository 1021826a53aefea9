/**
 * Secrets never print. `markSecret` makes an object render as `[redacted]` in `console.log`,
 * `util.inspect`, `JSON.stringify` and string conversion, so a stray log line cannot leak a key.
 */

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const REDACTED = '[redacted]';

/** Makes `obj` render as `[redacted]` everywhere it could be printed; returns the same object. */
export function markSecret<T extends object>(obj: T): T {
  const render = () => REDACTED;
  Object.defineProperties(obj, {
    toJSON: { value: render, enumerable: false },
    toString: { value: render, enumerable: false },
    [INSPECT]: { value: render, enumerable: false },
    [Symbol.toPrimitive]: { value: render, enumerable: false },
  });
  return obj;
}

/** The text a redacted secret renders as. */
export const REDACTED_TEXT = REDACTED;
