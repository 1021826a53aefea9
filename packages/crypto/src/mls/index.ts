/**
 * mls/: Sotto groups on MLS (RFC 9420) with ts-mls (ADR 0018): suites, device credentials, KeyPackages,
 * the group metadata extension, the member and admin checks, the group operations, and the split state
 * encoding that keeps a message's cost independent of the group's size. Pure: no I/O.
 */

export type {
  ClientState as MlsState,
  KeyPackage as MlsKeyPackage,
  SecretTreeNode as MlsSecretTreeNode,
} from 'ts-mls';
export * from './config.js';
export * from './credential.js';
export * from './group.js';
export * from './key-package.js';
export * from './members.js';
export * from './metadata.js';
export * from './policy.js';
export * from './state.js';
export * from './suite.js';
