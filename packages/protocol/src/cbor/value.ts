/**
 * The CBOR data model Sotto uses on the wire: a strict subset of RFC 8949 with no floats, tags,
 * `undefined`, big integers or non-text map keys.
 */

/** A value the strict CBOR codec can encode and decode. Maps are plain objects with text keys. */
export type CborValue = number | string | boolean | null | Uint8Array | CborValue[] | CborMap;

/** A CBOR map with text keys, decoded as a null-prototype object. */
export interface CborMap {
  [key: string]: CborValue;
}

/** Hard bounds of the CBOR decoder, independent of the frame schemas. */
export interface CborDecodeOptions {
  /** Most levels of nested arrays and maps accepted (8 allows eight containers inside each other). */
  readonly maxDepth: number;
  /**
   * Where each byte string is copied to: `allocate(length)` (default: a new array of its own). A server
   * may pass Node's pooled `Buffer.allocUnsafe`. Never a view of the input either way.
   */
  readonly allocate?: ((length: number) => Uint8Array) | undefined;
}

/** CBOR major types (RFC 8949 §3.1). */
export const MAJOR = {
  uint: 0,
  negint: 1,
  bytes: 2,
  text: 3,
  array: 4,
  map: 5,
  tag: 6,
  simple: 7,
} as const;
