/**
 * The CBOR data model Sotto uses on the wire: a strict subset of RFC 8949 with no floats, tags,
 * `undefined`, big integers or non-text map keys.
 */

/** A value the strict CBOR codec can encode and decode. Maps are plain objects with text keys. */
export type CborValue = number | string | boolean | null | Uint8Array | CborValue[] | CborMap;

/**
 * The prototype of every decoded map: an empty, frozen object whose own prototype is null. A decoded map
 * inherits nothing (`toString`, `constructor` and `__proto__` are only ever its own keys), exactly as a
 * null-prototype object; unlike `Object.create(null)`, which V8 keeps as a slow dictionary, its maps
 * stay fast objects.
 */
export const DECODED_MAP_PROTOTYPE: object = Object.freeze(Object.create(null) as object);

/** A CBOR map with text keys, decoded as an object inheriting nothing (see {@link DECODED_MAP_PROTOTYPE}). */
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
