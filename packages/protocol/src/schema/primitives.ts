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
    check(v, path) {
      if (typeof v !== 'number' || !Number.isSafeInteger(v))
        throw new SchemaIssue(path, 'expected an integer');
      if (v < min || v > max) throw new SchemaIssue(path, `integer out of range ${min}..${max}`);
      return v;
    },
  };
}

/** A boolean. */
export function bool(): Schema<boolean> {
  return {
    optional: false,
    check(v, path) {
      if (typeof v !== 'boolean') throw new SchemaIssue(path, 'expected a boolean');
      return v;
    },
  };
}

/** Exactly the string `value`. */
export function literal<const L extends string>(value: L): Schema<L> & { readonly value: L } {
  return {
    optional: false,
    value,
    check(v, path) {
      if (v !== value) throw new SchemaIssue(path, `expected "${value}"`);
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
    check(v, path) {
      if (typeof v !== 'string' || !set.has(v)) throw new SchemaIssue(path, 'not one of the allowed values');
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
    check(v, path) {
      if (typeof v !== 'string') throw new SchemaIssue(path, 'expected text');
      // Cheap UTF-16 bound first so a huge string is never iterated.
      if (v.length > opts.max * 2) throw new SchemaIssue(path, `longer than ${opts.max} characters`);
      // A string has between length / 2 and length code points: count them only when that range
      // straddles a bound.
      if (v.length > opts.max || v.length < 2 * min) {
        let n = 0;
        for (const _ of v) n++;
        if (n < min || n > opts.max) throw new SchemaIssue(path, `length out of range ${min}..${opts.max}`);
      }
      if (opts.pattern && !opts.pattern.test(v))
        throw new SchemaIssue(path, `not ${opts.what ?? 'well formed'}`);
      return v;
    },
  };
}

/** A byte string of `min..max` bytes (or exactly `length`). Returns a copy. */
export function bytes(opts: { min?: number; max: number } | { length: number }): Schema<Uint8Array> {
  const min = 'length' in opts ? opts.length : (opts.min ?? 0);
  const max = 'length' in opts ? opts.length : opts.max;
  return {
    optional: false,
    check(v, path) {
      if (!(v instanceof Uint8Array)) throw new SchemaIssue(path, 'expected bytes');
      if (v.length < min || v.length > max) {
        throw new SchemaIssue(
          path,
          min === max ? `expected ${min} bytes` : `byte length out of range ${min}..${max}`,
        );
      }
      // A plain, unshared copy (a Buffer's own slice() would be a view).
      return new Uint8Array(v);
    },
  };
}
