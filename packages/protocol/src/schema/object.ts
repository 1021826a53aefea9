/**
 * Composite schemas: closed objects (unknown keys rejected), bounded arrays and frame definitions.
 */

import { DECODED_MAP_PROTOTYPE } from '../cbor/value.js';
import { type AnySchema, type Infer, type Schema, SchemaIssue, within } from './core.js';
import { literal } from './primitives.js';

/** The fields of an object schema. */
export type Shape = Record<string, AnySchema>;

type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The object type a {@link Shape} validates to: optional fields become `?:`. */
export type InferShape<S extends Shape> = Simplify<
  { -readonly [K in RequiredKeys<S>]: Infer<S[K]> } & { -readonly [K in OptionalKeys<S>]?: Infer<S[K]> }
>;

/** An object schema that also exposes its shape. */
export interface ObjectSchema<S extends Shape> extends Schema<InferShape<S>> {
  readonly shape: S;
}

const utf8 = new TextEncoder();

/** RFC 8949 §4.2.1 order of two text map keys: shorter UTF-8 first, then bytewise. */
function byEncodedKey(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** A plain, null-prototype or decoded (see `DECODED_MAP_PROTOTYPE`) object: not an array or byte string. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null || proto === DECODED_MAP_PROTOTYPE;
}

/**
 * A closed object: every field of `shape` is checked, keys not in `shape` are rejected (a key whose
 * value is `undefined` counts as absent). Returns a fresh object holding only the shape's fields, in
 * CBOR's deterministic key order.
 */
export function object<const S extends Shape>(shape: S): ObjectSchema<S> {
  // In CBOR's deterministic key order, so a checked object is encoded without sorting its keys.
  const fields = Object.keys(shape)
    .sort(byEncodedKey)
    .flatMap((key) => {
      const field = shape[key];
      if (field === undefined) return [];
      return [{ key, optional: field.optional, schema: field.optional ? field.inner : field }];
    });
  return {
    optional: false,
    shape,
    check(v, keepBytes) {
      if (!isRecord(v)) throw new SchemaIssue('expected a map');
      for (const k in v) {
        if (Object.hasOwn(v, k) && !Object.hasOwn(shape, k) && v[k] !== undefined) {
          throw new SchemaIssue('unknown field');
        }
      }
      const out: Record<string, unknown> = {};
      for (const { key, optional, schema } of fields) {
        const value = Object.hasOwn(v, key) ? v[key] : undefined;
        if (value === undefined) {
          if (!optional) throw new SchemaIssue('required').within(key);
          continue;
        }
        try {
          out[key] = schema.check(value, keepBytes);
        } catch (err) {
          throw within(err, key);
        }
      }
      return out as InferShape<S>;
    },
  };
}

/** An array of `min..max` items, each checked by `item`. */
export function array<T>(item: Schema<T>, opts: { min?: number; max: number }): Schema<T[]> {
  const min = opts.min ?? 0;
  return {
    optional: false,
    check(v, keepBytes) {
      if (!Array.isArray(v)) throw new SchemaIssue('expected an array');
      if (v.length < min || v.length > opts.max) {
        throw new SchemaIssue(`item count out of range ${min}..${opts.max}`);
      }
      const out: T[] = new Array(v.length);
      for (let i = 0; i < v.length; i++) {
        try {
          out[i] = item.check(v[i], keepBytes);
        } catch (err) {
          throw within(err, i);
        }
      }
      return out;
    },
  };
}

/** A frame schema: a closed object whose field `t` is the literal `type`. */
export interface FrameSchema<T extends string, S extends Shape> extends ObjectSchema<S & { t: Schema<T> }> {
  readonly type: T;
}

/** Defines the schema of the frame type `type` with the given fields (besides `t`). */
export function frame<const T extends string, const S extends Shape>(type: T, shape: S): FrameSchema<T, S> {
  const full = { t: literal(type), ...shape } as S & { t: Schema<T> };
  return { ...object(full), type } as unknown as FrameSchema<T, S>;
}
