/**
 * Invites for `--registration token`: a random token the operator hands to one person (or a few), stored
 * only as its SHA-256, with a short id derived from that hash for listing and revoking. The token is
 * `inv_` and base64url, so it fits the protocol's `inviteToken`, survives copy and paste, never starts with
 * `-` (which a command line would take for an option) and is easy for secret scanners to recognise.
 */
import { createHash, randomBytes } from 'node:crypto';

/** Random bytes in a token: 144 bits, 24 base64url characters after the prefix. */
const TOKEN_BYTES = 18;

/** What every token starts with. */
export const INVITE_PREFIX = 'inv_';

/** A fresh invite token (shown once, never stored). */
export function newInviteToken(): string {
  return INVITE_PREFIX + randomBytes(TOKEN_BYTES).toString('base64url');
}

/** The SHA-256 of a token, as stored and looked up. */
export function inviteHash(token: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(token, 'utf8').digest());
}

/** The public id of the invite with `hash`: 12 hex characters of a second hash, naming it without revealing it. */
export function inviteId(hash: Uint8Array): string {
  return createHash('sha256').update('sotto/v1/invite-id').update(hash).digest('hex').slice(0, 12);
}
