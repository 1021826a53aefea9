/**
 * @sotto/crypto: Sotto's end-to-end crypto core. Pure: no I/O; runs in Node and in browsers.
 */

export * from './binary.js';
export * from './bytes.js';
export * from './errors.js';
export * from './labels.js';
export * from './provider.js';
export * from './secret.js';
