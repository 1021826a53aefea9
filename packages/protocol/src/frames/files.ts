/**
 * File frames: attachments are encrypted on the device and uploaded as ciphertext over HTTP with the tus
 * resumable-upload protocol (`ROUTES.files`). The WebSocket only authorizes an upload: the server checks
 * the size against the limit and the account's quota and hands out a bearer token for it. The token
 * creates one upload (at most `size` bytes) and then authorizes resuming it until `expiresAt`. A finished
 * file is downloaded by its id alone (128 random bits: a capability); the server never learns what it is.
 */

import { WIRE_BOUNDS } from '../limits.js';
import { frame } from '../schema/object.js';
import { text, uint } from '../schema/primitives.js';
import { requestId, timestampMs } from './common.js';

/** A file id: 16 random bytes as 32 lower-case hex characters. */
export const fileId = text({ min: 32, max: 32, pattern: /^[0-9a-f]{32}$/, what: 'file id' });

/**
 * Client → server: authorize an upload of `size` ciphertext bytes. Answer: `files.authorize.result`, or
 * `error` FILE_TOO_LARGE (over `maxFileBytes`), QUOTA_EXCEEDED (the account's stored files would exceed
 * `fileQuotaBytesPerAccount`), RATE_LIMITED.
 */
export const filesAuthorizeFrame = frame('files.authorize', {
  id: requestId,
  size: uint({ min: 1, max: WIRE_BOUNDS.fileBytes }),
});

/**
 * Server → client: answer to `files.authorize`. `token` goes in `Authorization: Bearer …` on the tus
 * requests to `ROUTES.files`; it is valid until `expiresAt` (server time).
 */
export const filesAuthorizeResultFrame = frame('files.authorize.result', {
  id: requestId,
  token: text({ min: 32, max: 128, pattern: /^[A-Za-z0-9_-]+$/, what: 'upload token' }),
  expiresAt: timestampMs,
});

/**
 * Client → server: delete a file this account uploaded (a cancelled or failed send), freeing its quota.
 * Answer: `ok`, or `error` FILE_NOT_FOUND (unknown, expired, or another account's).
 */
export const filesDeleteFrame = frame('files.delete', { id: requestId, fileId });
