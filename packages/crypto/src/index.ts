/**
 * @sotto/crypto: Sotto's end-to-end crypto core. Pure: no I/O; runs in Node and in browsers.
 */

export * from './backup/index.js';
export * from './binary.js';
export * from './bytes.js';
export * from './errors.js';
export * from './files/index.js';
export * from './keys/index.js';
export * from './labels.js';
export * from './mls/index.js';
export * from './provider/index.js';
export * from './provider.js';
export * from './safety/index.js';
export * from './secret.js';
export * from './session/index.js';
