/**
 * Leaf schemas: unsigned integers, booleans, literals, bounded text and bounded byte strings.
 */

import { type Schema, SchemaIssue } from './core.js';

/** Marks a schema as an optional object field. */
export function optional<T>(inner: Schema<T>): { readonly optional: true; readonly inner: Schema<T> } {
  return { optional: true, inner };
}

/** An integer in `[min, max]` (defaults: 0 and Number.MAX_SAFE_INTEGER). */
export function uint(opts: { min?: number; max?: number } = {}): Schema<number> {
  const min = opts.min ?? 0;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  return {
    optional: false,
    check(v) {
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new SchemaIssue('expected an integer');
      if (v < min || v > max) throw new SchemaIssue(`integer out of range ${min}..${max}`);
      return v;
    },
  };
}

/** A boolean. */
export function bool(): Schema<boolean> {
  return {
    optional: false,
    check(v) {
      if (typeof v !== 'boolean') throw new SchemaIssue('expected a boolean');
      return v;
    },
  };
}

/** Exactly the string `value`. */
export function literal<const L extends string>(value: L): Schema<L> & { readonly value: L } {
  return {
    optional: false,
    value,
    check(v) {
      if (v !== value) throw new SchemaIssue(`expected "${value}"`);
      return value;
    },
  };
}

/** One of the listed strings. */
export function oneOf<const L extends readonly string[]>(
  values: L,
): Schema<L[number]> & { readonly values: L } {
  const set = new Set<string>(values);
  return {
    optional: false,
    values,
    check(v) {
      if (typeof v !== 'string' || !set.has(v)) throw new SchemaIssue('not one of the allowed values');
      return v as L[number];
    },
  };
}

/**
 * A string of `min..max` characters (Unicode code points) that matches `pattern` when given.
 */
export function text(opts: { min?: number; max: number; pattern?: RegExp; what?: string }): Schema<string> {
  const min = opts.min ?? 0;
  return {
    optional: false,
    check(v) {
      if (typeof v !== 'string') throw new SchemaIssue('expected text');
      // Cheap UTF-16 bound first so a huge string is never iterated.
      if (v.length > opts.max * 2) throw new SchemaIssue(`longer than ${opts.max} characters`);
      // A string has between length / 2 and length code points: count them only when that range
      // straddles a bound.
      if (v.length > opts.max || v.length < 2 * min) {
        let n = 0;
        for (const _ of v) n++;
        if (n < min || n > opts.max) throw new SchemaIssue(`length out of range ${min}..${opts.max}`);
      }
      if (opts.pattern && !opts.pattern.test(v)) throw new SchemaIssue(`not ${opts.what ?? 'well formed'}`);
      return v;
    },
  };
}

/** Byte strings up to this length are copied rather than checked (V8 keeps them on its heap). */
const SMALL_BYTES = 64;

/**
 * A plain Uint8Array that views no buffer but its own: `v` itself when it already is one (what the CBOR
 * decoder produces, so a decoded body is not copied twice), else a copy. A Buffer, a subclass or a view
 * into a larger buffer (a Buffer's own slice() is one) is always copied.
 */
function ownBytes(v: Uint8Array): Uint8Array {
  // Reading `buffer` of a small array makes V8 create it; copying those few bytes is cheaper.
  if (v.length <= SMALL_BYTES) return new Uint8Array(v);
  const whole =
    v.constructor === Uint8Array &&
    v.byteOffset === 0 &&
    v.buffer instanceof ArrayBuffer &&
    v.byteLength === v.buffer.byteLength;
  return whole ? v : new Uint8Array(v);
}

/**
 * A byte string of `min..max` bytes (or exactly `length`). Returns a plain array that views no other
 * buffer (see {@link ownBytes}: the value itself when it already is one), or, with `keepBytes`, the
 * value as it is.
 */
export function bytes(opts: { min?: number; max: number } | { length: number }): Schema<Uint8Array> {
  const min = 'length' in opts ? opts.length : (opts.min ?? 0);
  const max = 'length' in opts ? opts.length : opts.max;
  return {
    optional: false,
    check(v, keepBytes) {
      if (!(v instanceof Uint8Array)) throw new SchemaIssue('expected bytes');
      if (v.length < min || v.length > max) {
        throw new SchemaIssue(
          min === max ? `expected ${min} bytes` : `byte length out of range ${min}..${max}`,
        );
      }
      return keepBytes === true ? v : ownBytes(v);
    },
  };
}
