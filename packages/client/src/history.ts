/**
 * Local message history: one record per message, keyed so that a conversation reads in order of the
 * sender's clock, then the sending device's sequence number (DESIGN §1 "per-conversation ordering"), plus
 * an index by message id for de-duplication and receipts. Bodies are encrypted at rest by the store.
 */

import { fromHex, toHex } from '@sotto/crypto';
import { bytes, object, oneOf, optional, text, uint } from '@sotto/protocol';
import { CALL_MEDIA, MAX_THUMBNAIL_BYTES, THUMBNAIL_TYPES } from './content.js';
import { decodeRecord, encodeRecord } from './records.js';
import { type ClientStore, del, put, type StoreOp } from './store/store.js';
import { CALL_OUTCOMES, type FileInfo, type FileState, type Message, type MessageStatus } from './types.js';

const SEP = '\u0001';
/** The forward order of statuses; `failed` sits outside it (see {@link advances}). */
const STATUS_ORDER: readonly MessageStatus[] = ['pending', 'sent', 'delivered', 'read'];
const STATUSES = ['pending', 'sent', 'delivered', 'read', 'failed'] as const;
const FILE_STATES = ['uploading', 'uploaded', 'available', 'downloading', 'downloaded', 'failed'] as const;

/** A file message's file (its caption is the message text). */
const fileSchema = object({
  name: text({ min: 1, max: 255 }),
  mediaType: text({ min: 1, max: 127 }),
  size: uint(),
  thumbnail: optional(bytes({ min: 1, max: MAX_THUMBNAIL_BYTES })),
  thumbnailType: optional(oneOf(THUMBNAIL_TYPES)),
  width: optional(uint({ min: 1, max: 0xffff })),
  height: optional(uint({ min: 1, max: 0xffff })),
  durationMs: optional(uint()),
  state: oneOf(FILE_STATES),
});

/** A call log entry's call. */
const callSchema = object({
  id: text({ min: 32, max: 32 }),
  media: oneOf(CALL_MEDIA),
  outcome: oneOf(CALL_OUTCOMES),
  durationMs: optional(uint()),
});

const messageSchema = object({
  id: text({ min: 32, max: 32 }),
  conversation: text({ min: 1, max: 64 }),
  direction: oneOf(['in', 'out'] as const),
  fromAccount: text({ min: 1, max: 64 }),
  fromDevice: uint({ max: 0xffff_ffff }),
  text: text({ max: 1 << 20 }),
  sentAt: uint(),
  seq: uint(),
  receivedAt: uint(),
  status: oneOf(STATUSES),
  error: optional(text({ max: 64 })),
  file: optional(fileSchema),
  call: optional(callSchema),
});

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The store key of a message: conversation, sender time, sequence, sender. */
export function messageKey(m: Message): string {
  return [m.conversation, pad(m.sentAt, 16), pad(m.seq, 16), m.from.account, pad(m.from.deviceId, 10)].join(
    SEP,
  );
}

/** Message ids are 16 random bytes, shown as 32 hex characters. */
export const messageIdToString = toHex;
/** Parses a message id (MALFORMED_ENCODING when not hex). */
export const messageIdFromString = fromHex;

function encodeFile(f: FileInfo) {
  return {
    name: f.name,
    mediaType: f.mediaType,
    size: f.size,
    thumbnail: f.thumbnail?.bytes,
    thumbnailType: f.thumbnail?.mediaType,
    width: f.thumbnail?.width,
    height: f.thumbnail?.height,
    durationMs: f.durationMs,
    state: f.state,
  };
}

function decodeFile(r: ReturnType<typeof fileSchema.check>, caption: string): FileInfo {
  const { thumbnail, thumbnailType, width, height } = r;
  return {
    name: r.name,
    mediaType: r.mediaType,
    size: r.size,
    ...(caption === '' ? {} : { caption }),
    ...(thumbnail !== undefined && thumbnailType !== undefined && width !== undefined && height !== undefined
      ? { thumbnail: { bytes: thumbnail, mediaType: thumbnailType, width, height } }
      : {}),
    ...(r.durationMs === undefined ? {} : { durationMs: r.durationMs }),
    state: r.state,
  };
}

/** True when `m` carries an error code: a failed message, or a file that failed. */
function hasError(m: Pick<Message, 'status' | 'file'>): boolean {
  return m.status === 'failed' || m.file?.state === 'failed';
}

function encode(m: Message): Uint8Array {
  return encodeRecord(messageSchema, {
    id: m.id,
    conversation: m.conversation,
    direction: m.direction,
    fromAccount: m.from.account,
    fromDevice: m.from.deviceId,
    text: m.text,
    sentAt: m.sentAt,
    seq: m.seq,
    receivedAt: m.receivedAt,
    status: m.status,
    error: hasError(m) ? m.error : undefined,
    file: m.file === undefined ? undefined : encodeFile(m.file),
    call: m.call === undefined ? undefined : { ...m.call },
  });
}

function decode(bytes: Uint8Array): Message {
  const r = decodeRecord(messageSchema, bytes);
  return {
    id: r.id,
    conversation: r.conversation,
    direction: r.direction,
    from: { account: r.fromAccount, deviceId: r.fromDevice },
    text: r.text,
    sentAt: r.sentAt,
    seq: r.seq,
    receivedAt: r.receivedAt,
    status: r.status,
    ...(r.file === undefined ? {} : { file: decodeFile(r.file, r.text) }),
    ...(r.call === undefined
      ? {}
      : {
          call: {
            id: r.call.id,
            media: r.call.media,
            outcome: r.call.outcome,
            ...(r.call.durationMs === undefined ? {} : { durationMs: r.call.durationMs }),
          },
        }),
    ...(r.error !== undefined && (r.status === 'failed' || r.file?.state === 'failed')
      ? { error: r.error }
      : {}),
  };
}

/** The operations storing a message and its id index. */
export function messageOps(m: Message): StoreOp[] {
  return [
    put('messages', messageKey(m), encode(m)),
    put('message-ids', m.id, new TextEncoder().encode(messageKey(m))),
  ];
}

/** The operations deleting a message and its id index. */
export function deleteMessageOps(m: Message): StoreOp[] {
  return [del('messages', messageKey(m)), del('message-ids', m.id)];
}

/** The message with id `id`, if stored. */
export async function messageById(store: ClientStore, id: string): Promise<Message | undefined> {
  const key = await store.get('message-ids', id);
  if (key === undefined) return undefined;
  const raw = await store.get('messages', new TextDecoder().decode(key));
  return raw === undefined ? undefined : decode(raw);
}

/**
 * True when a message in `current` may move to `next`: statuses only move forward (pending → sent →
 * delivered → read); only a pending message can fail; a failed one moves on only on evidence that it went
 * after all (a receipt). A failed message becomes pending again only through an explicit resend
 * ({@link withStatus}), never here.
 */
export function advances(current: MessageStatus, next: MessageStatus): boolean {
  if (next === 'failed') return current === 'pending';
  if (next === 'pending') return false;
  if (current === 'failed') return true;
  return STATUS_ORDER.indexOf(next) > STATUS_ORDER.indexOf(current);
}

/**
 * `m` with `status` (and `error` for `failed`), and the operation storing it. A file message that fails
 * has its file fail too.
 */
export function withStatus(
  m: Message,
  status: MessageStatus,
  error?: string,
): { message: Message; op: StoreOp } {
  const { error: _old, ...rest } = m;
  const file = m.file !== undefined && status === 'failed' ? { ...m.file, state: 'failed' as const } : m.file;
  const message: Message = status === 'failed' ? { ...rest, status, error, file } : { ...rest, status, file };
  return { message, op: put('messages', messageKey(message), encode(message)) };
}

/** File message `m` with its file in `state` (and `error` when it failed), and the operation storing it. */
export function withFileState(
  m: Message & { file: FileInfo },
  state: FileState,
  error?: string,
): { message: Message; op: StoreOp } {
  const { error: _old, ...rest } = m;
  const keep = m.status === 'failed' ? { error: m.error } : {};
  const message: Message = {
    ...rest,
    ...(state === 'failed' ? { error } : keep),
    file: { ...m.file, state },
  };
  return { message, op: put('messages', messageKey(message), encode(message)) };
}

/**
 * The operations moving message `id` (in `conversation`, direction `direction`) to `status` if that
 * advances it (see {@link advances}), with the updated message to report.
 */
export async function statusOps(
  store: ClientStore,
  conversation: string,
  direction: 'in' | 'out',
  id: string,
  status: MessageStatus,
  error?: string,
): Promise<{ ops: StoreOp[]; updated?: Message }> {
  const m = await messageById(store, id);
  if (
    m === undefined ||
    m.conversation !== conversation ||
    m.direction !== direction ||
    !advances(m.status, status)
  ) {
    return { ops: [] };
  }
  const { message, op } = withStatus(m, status, error);
  return { ops: [op], updated: message };
}

/**
 * The latest `limit` messages of `conversation` older than `beforeId` (that message's place in the order)
 * or sent before `before` (sender clock), oldest first.
 */
export async function readHistory(
  store: ClientStore,
  conversation: string,
  options: { limit?: number; before?: number; beforeId?: string },
): Promise<Message[]> {
  const prefix = conversation + SEP;
  let below = options.before === undefined ? undefined : prefix + pad(options.before, 16);
  if (options.beforeId !== undefined) {
    const key = await store.get('message-ids', options.beforeId);
    const k = key === undefined ? undefined : new TextDecoder().decode(key);
    if (k === undefined || !k.startsWith(prefix)) return [];
    if (below === undefined || k < below) below = k;
  }
  const entries = await store.list('messages', {
    prefix,
    ...(below === undefined ? {} : { below }),
    reverse: true,
    limit: options.limit ?? 100,
  });
  return entries.map(([, v]) => decode(v)).reverse();
}
