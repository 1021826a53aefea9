/**
 * A minimal, dependency-free schema layer: each schema checks an untrusted decoded value and returns a
 * fresh, typed copy; TypeScript types are inferred from the schemas with {@link Infer}, never written
 * twice. Failures name the field path and the problem, never the value.
 */

import { SottoError } from '@sotto/crypto';

/** Thrown inside schemas; callers turn it into a {@link SottoError} with {@link validate}. */
export class SchemaIssue extends Error {
  override readonly name = 'SchemaIssue';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path || 'value'}: ${problem}`);
  }
}

/** A required value of type `T`. `check` returns a validated copy or throws {@link SchemaIssue}. */
export interface Schema<T> {
  readonly optional: false;
  check(value: unknown, path: string): T;
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
 * Validates `value` against `schema`.
 * @returns a fresh validated copy typed from the schema.
 * @throws SottoError with `code` (BAD_FRAME unless given) naming the failing field path.
 */
export function validate<T>(
  schema: Schema<T>,
  value: unknown,
  code: 'BAD_FRAME' | 'INVALID_ARGUMENT' = 'BAD_FRAME',
): T {
  try {
    return schema.check(value, '');
  } catch (err) {
    if (err instanceof SchemaIssue) throw new SottoError(code, `Invalid ${err.message}`);
    throw err;
  }
}
