/**
 * TURN credentials under the "TURN REST API" scheme (draft-uberti-behave-turn-rest-00 §2.2) that coturn
 * implements with `use-auth-secret`: the username is `<expiry unix seconds>:<id>` and the password is
 * base64(HMAC-SHA1(static-auth-secret, username)). coturn recomputes the password from the username and
 * refuses it once the expiry has passed, so the servers share nothing but the secret.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { IceServer } from '@sotto/protocol';
import type { TurnSecret, TurnSettings } from './turn-config.js';

/** Random bytes of the opaque id in a username (base64url in the username). */
export const TURN_ID_BYTES = 12;

/** One minted credential pair. */
export interface TurnCredential {
  readonly username: string;
  readonly credential: string;
}

/**
 * The credential for `id`, valid until `expiresAtSeconds` (Unix seconds). `id` must not contain `:`; it
 * reaches the TURN server's logs, so it must not name the account (see {@link mintTurnCredential}).
 */
export function turnCredential(secret: TurnSecret, expiresAtSeconds: number, id: string): TurnCredential {
  const username = `${expiresAtSeconds}:${id}`;
  const credential = createHmac('sha1', secret.reveal()).update(username).digest('base64');
  return { username, credential };
}

/**
 * A fresh credential valid for `ttlSeconds` from `nowMs`, under a random id: the TURN server (and its logs)
 * learns neither the account nor the device, and two credentials cannot be linked by their usernames.
 */
export function mintTurnCredential(secret: TurnSecret, nowMs: number, ttlSeconds: number): TurnCredential {
  const expires = Math.floor(nowMs / 1000) + ttlSeconds;
  return turnCredential(secret, expires, randomBytes(TURN_ID_BYTES).toString('base64url'));
}

/**
 * The `iceServers` to hand a device at `nowMs`: the STUN URLs as one entry without credentials, the TURN
 * URLs as one entry with a fresh credential. Empty without settings.
 */
export function iceServersFor(settings: TurnSettings | undefined, nowMs: number): IceServer[] {
  if (settings === undefined) return [];
  const out: IceServer[] = [];
  if (settings.stunUrls.length > 0) out.push({ urls: [...settings.stunUrls] });
  if (settings.turnUrls.length > 0 && settings.secret !== undefined) {
    out.push({
      urls: [...settings.turnUrls],
      ...mintTurnCredential(settings.secret, nowMs, settings.ttlSeconds),
    });
  }
  return out;
}
