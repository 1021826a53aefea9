/**
 * @sotto/client: the Sotto SDK for Node and browsers — registration and login, end-to-end sessions with
 * fan-out to every device, contacts, presence, typing, receipts, verification, local history in a store
 * encrypted at rest, encrypted file transfer, and typed events. `openSqliteStore` (Node) imports better-sqlite3 and `node:fs` only
 * when called, so a browser build of the SDK does not pull them in.
 */

export { ERROR_CODES, type ErrorCode, SottoError } from '@sotto/crypto';
export * from './calls/index.js';
export {
  type ClientOptions,
  type CreateGroupOptions,
  createClient,
  type HistoryOptions,
  type LoginOptions,
  type RegisterOptions,
  SottoClient,
  type WebSocketConstructor,
  type WebSocketLike,
} from './client.js';
export { type Listener, TypedEmitter } from './events.js';
export * from './files/index.js';
export type { IceServer } from './ice.js';
export type { SendResult } from './messages.js';
export type { NotificationEmail } from './notify.js';
export { checkPassword, MIN_PASSWORD_SCORE } from './password.js';
export { EncryptedStore } from './store/at-rest.js';
export {
  deleteIndexedDbStore,
  IndexedDbStore,
  type IndexedDbStoreOptions,
  openIndexedDbStore,
} from './store/indexeddb.js';
export { MemoryStore } from './store/memory.js';
export { openSqliteStore, type SqliteStoreOptions, STORAGE_ARGON2ID } from './store/sqlite.js';
export {
  type ClientStore,
  type ListOptions,
  type StoreOp,
  TABLES,
  type Table,
} from './store/store.js';
export * from './types.js';
