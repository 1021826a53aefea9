/**
 * A minimal, dependency-free schema layer: each schema checks an untrusted decoded value and returns a
 * fresh, typed copy (holding no view of the input's buffers); TypeScript types are inferred from the schemas with {@link Infer}, never written
 * twice. Failures name the field path and the problem, never the value.
 */

import { SottoError } from '@sotto/crypto';

/**
 * Thrown inside schemas; callers turn it into a {@link SottoError} with {@link validate}. The path is
 * built only on failure: each composite schema the issue leaves adds its field or index
 * ({@link SchemaIssue.within}), so a value that checks costs no path strings.
 */
export class SchemaIssue extends Error {
  override readonly name = 'SchemaIssue';
  /** Field names and indices from the failing value outwards. */
  private readonly segments: (string | number)[] = [];

  constructor(readonly problem: string) {
    super(problem);
  }

  /** Records that the issue is inside field or index `segment` of the enclosing value. */
  within(segment: string | number): this {
    this.segments.push(segment);
    return this;
  }

  /** The failing value's path from the root (`messages[0].body`); empty for the root itself. */
  get path(): string {
    let out = '';
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const s = this.segments[i];
      out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
    }
    return out;
  }
}

/** Adds `segment` to the path of a {@link SchemaIssue} leaving a composite schema; other errors pass. */
export function within(err: unknown, segment: string | number): unknown {
  return err instanceof SchemaIssue ? err.within(segment) : err;
}

/**
 * A required value of type `T`. `check` returns a validated value (fresh objects and arrays; byte
 * strings as the `bytes` schema says) or throws {@link SchemaIssue}.
 */
export interface Schema<T> {
  readonly optional: false;
  /**
   * Checks `value`. `keepBytes`: byte strings are returned as they are instead of copied. Right when
   * they are already copies (straight from this package's CBOR decoder) or when the result is only
   * encoded and dropped.
   */
  check(value: unknown, keepBytes?: boolean): T;
}

/** A field that may be absent from an object (absent and `undefined` are the same on the wire). */
export interface OptionalSchema<T> {
  readonly optional: true;
  readonly inner: Schema<T>;
}

/** Any schema, required or optional. */
export type AnySchema = Schema<unknown> | OptionalSchema<unknown>;

/** The TypeScript type a schema validates to. */
export type Infer<S> = S extends Schema<infer T> ? T : S extends OptionalSchema<infer T> ? T : never;

/**
 * Validates `value` against `schema` (`keepBytes`: see {@link Schema.check}).
 * @returns a validated copy typed from the schema (byte strings the decoder made are not copied again).
 * @throws SottoError with `code` (BAD_FRAME unless given) naming the failing field path.
 */
export function validate<T>(
  schema: Schema<T>,
  value: unknown,
  code: 'BAD_FRAME' | 'INVALID_ARGUMENT' = 'BAD_FRAME',
  keepBytes = false,
): T {
  try {
    return schema.check(value, keepBytes);
  } catch (err) {
    if (err instanceof SchemaIssue)
      throw new SottoError(code, `Invalid ${err.path || 'value'}: ${err.problem}`);
    throw err;
  }
}
