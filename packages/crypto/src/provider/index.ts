/**
 * The two {@link CryptoProvider} backends: `createNodeProvider` (node:crypto) and `createPortableProvider`
 * (WebCrypto where supported, noble elsewhere), plus the Argon2id bounds both enforce.
 */
export { ARGON2ID_BOUNDS } from './argon2.js';
export { createNodeProvider } from './node.js';
export { createPortableProvider, type PortableProviderOptions } from './portable.js';
