/**
 * The two secrets of a file: its id (16 random bytes, the download capability: whoever knows it may fetch
 * the ciphertext) and its upload token (32 random bytes, base64url: the bearer token of the tus requests).
 * The store keeps only the token's SHA-256, so its database lets nobody upload.
 */
import { createHash } from 'node:crypto';

/** A token as `files.authorize.result` carries it (the protocol allows 32–128 base64url characters). */
export const UPLOAD_TOKEN = /^[A-Za-z0-9_-]{32,128}$/;

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

/** A fresh file id: 32 lower-case hex characters. */
export const newFileId = (): string => Buffer.from(random(16)).toString('hex');

/** A fresh upload token: 43 base64url characters (256 bits). */
export const newUploadToken = (): string => Buffer.from(random(32)).toString('base64url');

/** What the store keeps of `token`. */
export const tokenHash = (token: string): Uint8Array => createHash('sha256').update(token, 'utf8').digest();
