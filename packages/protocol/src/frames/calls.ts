/**
 * Call frames (server side of calls: ICE servers). Call signaling itself (offers, answers, candidates)
 * travels end to end as ordinary message content and never appears here. What the server adds is the
 * operator's STUN and TURN servers, with TURN credentials it mints for the asking device under the
 * TURN REST API scheme coturn implements (`use-auth-secret`): `username` is `<expiry unix seconds>:<opaque
 * id>` (the id reveals neither account nor device), `credential` is base64(HMAC-SHA1(secret, username)).
 * A server with no TURN configured answers with no TURN entry (only STUN, or nothing): clients then try
 * direct connections only. ADR 0024.
 */

import type { Infer } from '../schema/core.js';
import { array, frame, object } from '../schema/object.js';
import { optional, text, uint } from '../schema/primitives.js';
import { requestId } from './common.js';

/** Most entries in `iceServers`. */
export const MAX_ICE_SERVERS = 8;
/** Most URLs in one entry. */
export const MAX_ICE_URLS = 16;
/** Longest ICE server URL. */
export const MAX_ICE_URL_CHARS = 512;
/** Longest TTL the server may give (a week), in seconds. */
export const MAX_ICE_TTL_SECONDS = 7 * 24 * 3600;

/**
 * A STUN or TURN URL as WebRTC takes it (RFC 7064 / RFC 7065): `stun:`, `stuns:`, `turn:` or `turns:`, then
 * a host (name, IPv4 or bracketed IPv6), an optional port and, for TURN, an optional `?transport=udp|tcp`.
 */
export const iceUrl = text({
  min: 6,
  max: MAX_ICE_URL_CHARS,
  pattern:
    /^(?:stuns?|turns?):(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?(?:\?transport=(?:udp|tcp))?$/,
  what: 'a stun:, stuns:, turn: or turns: URL',
});

/**
 * One ICE server as `RTCIceServer` takes it: TURN entries carry the time-limited `username` and
 * `credential`; a STUN-only entry has neither.
 */
export const iceServer = object({
  urls: array(iceUrl, { min: 1, max: MAX_ICE_URLS }),
  username: optional(text({ min: 1, max: 256, pattern: /^[\x21-\x7e]+$/, what: 'printable ASCII' })),
  credential: optional(text({ min: 1, max: 256, pattern: /^[\x21-\x7e]+$/, what: 'printable ASCII' })),
});

/** One ICE server (`RTCIceServer`-shaped). */
export type IceServer = Infer<typeof iceServer>;

/** Client → server: the ICE servers to use for a call. Answer: `calls.ice.result`, or `error` RATE_LIMITED. */
export const callsIceFrame = frame('calls.ice', { id: requestId });

/**
 * Server → client: answer to `calls.ice`. `iceServers` is empty when the operator configured neither STUN
 * nor TURN. The TURN credentials stay valid for `ttlSeconds` from now (the server's clock); a client
 * fetches new ones before then (a call already relayed keeps its allocation while it refreshes it).
 */
export const callsIceResultFrame = frame('calls.ice.result', {
  id: requestId,
  iceServers: array(iceServer, { max: MAX_ICE_SERVERS }),
  ttlSeconds: uint({ max: MAX_ICE_TTL_SECONDS }),
});
