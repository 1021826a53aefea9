/**
 * @sotto/protocol: Sotto's wire protocol — frame and body schemas, the strict CBOR codec, account
 * names, limits and the connection-auth message. No I/O. See docs/protocol.md.
 */

export { ERROR_CODES, type ErrorCode, SottoError } from '@sotto/crypto';
export * from './auth.js';
export { decodeCbor } from './cbor/decode.js';
export { encodeCbor } from './cbor/encode.js';
export type { CborMap, CborValue } from './cbor/value.js';
export * from './codec.js';
export * from './frames/index.js';
export * from './http/accounts.js';
export * from './http/errors.js';
export * from './http/login.js';
export * from './http/opaque.js';
export * from './http/routes.js';
export * from './limits.js';
export * from './names.js';
export * from './replies.js';
export {
  type AnySchema,
  type Infer,
  type OptionalSchema,
  type Schema,
  SchemaIssue,
  validate,
} from './schema/core.js';
export { array, frame, type InferShape, type ObjectSchema, object, type Shape } from './schema/object.js';
export { bool, bytes, literal, oneOf, optional, text, uint } from './schema/primitives.js';
