/**
 * keys/: versioned, type-tagged encodings of Sotto's keys and the signed structures built from them
 * (device certificates, device lists, prekeys, prekey bundles). See docs/crypto.md "Keys".
 */

export * from './bundle.js';
export * from './certificate.js';
export * from './device-list.js';
export { MAX_ACCOUNT_NAME_BYTES, StructureTag } from './encoding.js';
export * from './identity.js';
export * from './key-types.js';
export { checkMlKemPublicKey } from './mlkem-key.js';
export * from './prekeys.js';
