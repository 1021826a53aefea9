/**
 * The end-to-end content encoding: what goes inside a ciphertext. Small, versioned CBOR maps, checked by a
 * schema on arrival (the sender is authenticated, but its input is still untrusted):
 * - `text`: a message with its id, the sender's clock and the sending device's sequence number;
 * - `receipt`: delivered or read, for message ids;
 * - `typing`: started or stopped (stored and delivered like any message, so the server cannot tell it
 *   apart; a receiver ignores one that arrives late);
 * - `block`: a sync between one's own devices that `to` was blocked or unblocked on one of them;
 * - `device-name`: a sync between one's own devices: the sending device's name;
 * - `file`: a file message: where the encrypted file is (`fileId`), the key to open it, the SHA-256 of its
 *   ciphertext, its sizes, media type and name, and an optional caption, thumbnail and duration. The key
 *   and digest travel only here, inside the end-to-end encryption.
 * - `call-offer`, `call-answer`, `call-ice`, `call-hangup`: call signaling (ephemeral: never stored as
 *   messages; see `calls/`): a 16-byte call id, and an SDP offer or answer, a batch of ICE candidates, or
 *   why the call ended. The SDP is only checked for size and characters, never parsed here.
 * A copy for one's own other devices carries `to` (the conversation), so every device of an account shows
 * the whole conversation, including what its sibling devices sent and read.
 */

import { fileCipherSize, SottoError } from '@sotto/crypto';
import type { CborValue } from '@sotto/protocol';
import {
  accountName,
  array,
  bool,
  bytes,
  decodeCbor,
  encodeCbor,
  fileId,
  object,
  oneOf,
  optional,
  text,
  uint,
  validate,
} from '@sotto/protocol';

/** Bytes of a message id. */
export const MESSAGE_ID_BYTES = 16;
/** Longest text, in characters (the padded ciphertext stays below the 64 KiB wire bound). */
export const MAX_TEXT_CHARS = 16_000;
/** Largest thumbnail carried in a file message. */
export const MAX_THUMBNAIL_BYTES = 16 * 1024;
/** The thumbnail formats a file message may carry. */
export const THUMBNAIL_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
/**
 * Largest encoded file content: it pads to at most 32 KiB, which with the handshake of a first message
 * stays below the 64 KiB wire bound of one ciphertext (a long caption and a large thumbnail together can
 * exceed it; such a send is refused with INVALID_ARGUMENT).
 */
export const MAX_FILE_CONTENT_BYTES = 32 * 1024 - 1;

const messageId = bytes({ length: MESSAGE_ID_BYTES });

/** Bytes of a call id. */
export const CALL_ID_BYTES = 16;
/**
 * Longest SDP, in characters (all ASCII): with the rest of the content it pads to at most 32 KiB, which
 * stays below the 64 KiB wire bound of one ciphertext even with a first message's handshake.
 */
export const MAX_SDP_CHARS = 24 * 1024;
/** Longest ICE candidate line, in characters. */
export const MAX_CANDIDATE_CHARS = 1024;
/** Most ICE candidates in one `call-ice`. */
export const MAX_CANDIDATES = 16;
/** Why a call ended, as a `call-hangup` says. */
export const HANGUP_REASONS = ['hangup', 'declined', 'busy', 'missed', 'failed'] as const;
/** A call's media. */
export const CALL_MEDIA = ['audio', 'video'] as const;
/** Printable ASCII, tabs and line breaks: what an SDP or a candidate line is made of. */
const SDP_CHARS = /^[\t\r\n\x20-\x7e]*$/;
const callId = bytes({ length: CALL_ID_BYTES });
const iceCandidate = object({
  c: text({ max: MAX_CANDIDATE_CHARS, pattern: SDP_CHARS, what: 'an ICE candidate' }),
  mid: optional(text({ max: 64, pattern: SDP_CHARS, what: 'a media id' })),
  i: optional(uint({ max: 255 })),
});

const contentSchema = object({
  v: uint({ min: 1, max: 1 }),
  t: oneOf([
    'text',
    'receipt',
    'typing',
    'block',
    'device-name',
    'file',
    'call-offer',
    'call-answer',
    'call-ice',
    'call-hangup',
  ] as const),
  to: optional(accountName),
  id: optional(messageId),
  sentAt: optional(uint()),
  seq: optional(uint()),
  text: optional(text({ max: MAX_TEXT_CHARS * 4 })),
  receipt: optional(oneOf(['delivered', 'read'] as const)),
  ids: optional(array(messageId, { min: 1, max: 256 })),
  typing: optional(bool()),
  blocked: optional(bool()),
  name: optional(text({ max: 256 })),
  fileId: optional(fileId),
  key: optional(bytes({ length: 32 })),
  digest: optional(bytes({ length: 32 })),
  size: optional(uint()),
  cipherSize: optional(uint()),
  mediaType: optional(text({ min: 1, max: 127 })),
  caption: optional(text({ max: MAX_TEXT_CHARS })),
  thumbnail: optional(bytes({ min: 1, max: MAX_THUMBNAIL_BYTES })),
  thumbnailType: optional(oneOf(THUMBNAIL_TYPES)),
  width: optional(uint({ min: 1, max: 0xffff })),
  height: optional(uint({ min: 1, max: 0xffff })),
  durationMs: optional(uint()),
  call: optional(callId),
  media: optional(oneOf(CALL_MEDIA)),
  sdp: optional(text({ min: 1, max: MAX_SDP_CHARS, pattern: SDP_CHARS, what: 'an SDP' })),
  ice: optional(array(iceCandidate, { min: 1, max: MAX_CANDIDATES })),
  reason: optional(oneOf(HANGUP_REASONS)),
});

/** The small preview image of a file message. */
export interface ContentThumbnail {
  readonly bytes: Uint8Array;
  readonly mediaType: (typeof THUMBNAIL_TYPES)[number];
  readonly width: number;
  readonly height: number;
}

/** A file message's content. */
export interface FileContent {
  readonly t: 'file';
  readonly to?: string;
  readonly id: Uint8Array;
  readonly sentAt: number;
  readonly seq: number;
  readonly fileId: string;
  readonly key: Uint8Array;
  readonly digest: Uint8Array;
  /** Plaintext bytes. */
  readonly size: number;
  /** Ciphertext bytes (always `fileCipherSize(size)`). */
  readonly cipherSize: number;
  readonly mediaType: string;
  readonly name: string;
  readonly caption?: string;
  readonly thumbnail?: ContentThumbnail;
  readonly durationMs?: number;
}

/** One ICE candidate as the browser describes it (`candidate`, `sdpMid`, `sdpMLineIndex`). */
export interface IceCandidateLine {
  /** The candidate line; empty for the end of candidates. */
  readonly candidate: string;
  readonly sdpMid?: string;
  readonly sdpMLineIndex?: number;
}

/** Call signaling content (ephemeral). */
export type CallContent =
  | {
      readonly t: 'call-offer';
      readonly to?: string;
      readonly callId: Uint8Array;
      readonly media: (typeof CALL_MEDIA)[number];
      readonly sdp: string;
    }
  | { readonly t: 'call-answer'; readonly to?: string; readonly callId: Uint8Array; readonly sdp: string }
  | {
      readonly t: 'call-ice';
      readonly to?: string;
      readonly callId: Uint8Array;
      readonly candidates: readonly IceCandidateLine[];
    }
  | {
      readonly t: 'call-hangup';
      readonly to?: string;
      readonly callId: Uint8Array;
      readonly reason: (typeof HANGUP_REASONS)[number];
    };

/** True for call signaling content. */
export function isCallContent(c: Content): c is CallContent {
  return c.t === 'call-offer' || c.t === 'call-answer' || c.t === 'call-ice' || c.t === 'call-hangup';
}

/** Decoded content. */
export type Content =
  | {
      readonly t: 'text';
      readonly to?: string;
      readonly id: Uint8Array;
      readonly sentAt: number;
      readonly seq: number;
      readonly text: string;
    }
  | {
      readonly t: 'receipt';
      readonly to?: string;
      readonly receipt: 'delivered' | 'read';
      readonly ids: readonly Uint8Array[];
    }
  | { readonly t: 'typing'; readonly to?: string; readonly typing: boolean }
  | { readonly t: 'block'; readonly to: string; readonly blocked: boolean }
  | { readonly t: 'device-name'; readonly to?: undefined; readonly name: string }
  | FileContent
  | CallContent;

function fileFields(c: FileContent): Record<string, CborValue> {
  const v: Record<string, CborValue> = {
    id: c.id,
    sentAt: c.sentAt,
    seq: c.seq,
    fileId: c.fileId,
    key: c.key,
    digest: c.digest,
    size: c.size,
    cipherSize: c.cipherSize,
    mediaType: c.mediaType,
    name: c.name,
  };
  if (c.caption !== undefined) v.caption = c.caption;
  if (c.thumbnail !== undefined) {
    Object.assign(v, {
      thumbnail: c.thumbnail.bytes,
      thumbnailType: c.thumbnail.mediaType,
      width: c.thumbnail.width,
      height: c.thumbnail.height,
    });
  }
  if (c.durationMs !== undefined) v.durationMs = c.durationMs;
  return v;
}

function callFields(c: CallContent): Record<string, CborValue> {
  if (c.t === 'call-offer') return { call: c.callId, media: c.media, sdp: c.sdp };
  if (c.t === 'call-answer') return { call: c.callId, sdp: c.sdp };
  if (c.t === 'call-hangup') return { call: c.callId, reason: c.reason };
  const ice = c.candidates.map((x) => {
    const v: Record<string, CborValue> = { c: x.candidate };
    if (x.sdpMid !== undefined) v.mid = x.sdpMid;
    if (x.sdpMLineIndex !== undefined) v.i = x.sdpMLineIndex;
    return v;
  });
  return { call: c.callId, ice };
}

/** Encodes content (INVALID_ARGUMENT when out of bounds). */
export function encodeContent(c: Content): Uint8Array {
  const value: Record<string, CborValue> = { v: 1, t: c.t };
  if (c.to !== undefined) value.to = c.to;
  if (c.t === 'text') Object.assign(value, { id: c.id, sentAt: c.sentAt, seq: c.seq, text: c.text });
  else if (c.t === 'receipt') Object.assign(value, { receipt: c.receipt, ids: [...c.ids] });
  else if (c.t === 'typing') value.typing = c.typing;
  else if (c.t === 'block') value.blocked = c.blocked;
  else if (c.t === 'file') Object.assign(value, fileFields(c));
  else if (c.t === 'device-name') value.name = c.name;
  else Object.assign(value, callFields(c));
  validate(contentSchema, value, 'INVALID_ARGUMENT');
  const out = encodeCbor(value);
  if (c.t === 'file' && out.length > MAX_FILE_CONTENT_BYTES) {
    throw new SottoError('INVALID_ARGUMENT', 'The caption and thumbnail are too large together.');
  }
  return out;
}

type Checked = ReturnType<typeof contentSchema.check>;

/** The file content of `r`, or undefined when a field is missing or the sizes disagree. */
function fileContent(r: Checked, to: { to?: string }): FileContent | undefined {
  const { id, sentAt, seq, fileId: fid, key, digest, size, cipherSize, mediaType, name } = r;
  if (
    id === undefined ||
    sentAt === undefined ||
    seq === undefined ||
    fid === undefined ||
    key === undefined ||
    digest === undefined ||
    size === undefined ||
    cipherSize === undefined ||
    mediaType === undefined ||
    name === undefined
  ) {
    return undefined;
  }
  try {
    if (fileCipherSize(size) !== cipherSize) return undefined;
  } catch {
    return undefined;
  }
  const { thumbnail, thumbnailType, width, height } = r;
  const parts = [thumbnail, thumbnailType, width, height].filter((x) => x !== undefined).length;
  if (parts !== 0 && parts !== 4) return undefined;
  return {
    t: 'file',
    ...to,
    id,
    sentAt,
    seq,
    fileId: fid,
    key,
    digest,
    size,
    cipherSize,
    mediaType,
    name,
    ...(r.caption === undefined ? {} : { caption: r.caption }),
    ...(thumbnail !== undefined && thumbnailType !== undefined && width !== undefined && height !== undefined
      ? { thumbnail: { bytes: thumbnail, mediaType: thumbnailType, width, height } }
      : {}),
    ...(r.durationMs === undefined ? {} : { durationMs: r.durationMs }),
  };
}

/** The call signaling content of `r`, or undefined when it is none or a field is missing. */
function callContent(r: Checked, to: { to?: string }): CallContent | undefined {
  const callId = r.call;
  if (callId === undefined) return undefined;
  if (r.t === 'call-offer' && r.media !== undefined && r.sdp !== undefined) {
    return { t: 'call-offer', ...to, callId, media: r.media, sdp: r.sdp };
  }
  if (r.t === 'call-answer' && r.sdp !== undefined) return { t: 'call-answer', ...to, callId, sdp: r.sdp };
  if (r.t === 'call-hangup' && r.reason !== undefined) {
    return { t: 'call-hangup', ...to, callId, reason: r.reason };
  }
  if (r.t === 'call-ice' && r.ice !== undefined) {
    const candidates = r.ice.map((x) => ({
      candidate: x.c,
      ...(x.mid === undefined ? {} : { sdpMid: x.mid }),
      ...(x.i === undefined ? {} : { sdpMLineIndex: x.i }),
    }));
    return { t: 'call-ice', ...to, callId, candidates };
  }
  return undefined;
}

/** Decodes content; throws MALFORMED_ENCODING on anything out of shape. */
export function decodeContent(bytes: Uint8Array): Content {
  let r: Checked;
  try {
    r = validate(contentSchema, decodeCbor(bytes, { maxDepth: 4 }));
  } catch (cause) {
    throw new SottoError('MALFORMED_ENCODING', 'content: not a valid content encoding', { cause });
  }
  const to = r.to === undefined ? {} : { to: r.to };
  if (
    r.t === 'text' &&
    r.id !== undefined &&
    r.sentAt !== undefined &&
    r.seq !== undefined &&
    r.text !== undefined
  ) {
    return { t: 'text', ...to, id: r.id, sentAt: r.sentAt, seq: r.seq, text: r.text };
  }
  if (r.t === 'receipt' && r.receipt !== undefined && r.ids !== undefined) {
    return { t: 'receipt', ...to, receipt: r.receipt, ids: r.ids };
  }
  if (r.t === 'typing' && r.typing !== undefined) return { t: 'typing', ...to, typing: r.typing };
  if (r.t === 'block' && r.to !== undefined && r.blocked !== undefined) {
    return { t: 'block', to: r.to, blocked: r.blocked };
  }
  if (r.t === 'device-name' && r.name !== undefined && r.to === undefined) {
    return { t: 'device-name', name: r.name };
  }
  if (r.t === 'file') {
    const file = fileContent(r, to);
    if (file !== undefined) return file;
  }
  const call = callContent(r, to);
  if (call !== undefined) return call;
  throw new SottoError('MALFORMED_ENCODING', 'content: missing fields');
}
