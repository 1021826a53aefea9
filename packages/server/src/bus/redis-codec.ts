/**
 * The bytes a bus event travels as between nodes: one strict-CBOR map naming the sending node, the kind,
 * the key and the event; or a batch: the events one node published in one turn of its event loop, sent as
 * one PUBLISH (see {@link encodeBusBatch}). A mail signal may carry its envelopes
 * (with `prev`, see `MailSignal`). A `push` event's frame is encoded and validated with the frame codec, so what a
 * node hands to its sockets is a well-formed server frame even if Redis carried garbage.
 */
import { type CborMap, decodeCbor, decodeFrame, encodeCbor, encodeFrame } from '@sotto/protocol';
import type { StoredEnvelope } from '../store/store.js';
import type { BusEvents, MailSignal } from './bus.js';

/** One event on the wire between nodes. */
export type BusMessage = {
  [K in keyof BusEvents]: {
    readonly node: Uint8Array;
    readonly kind: K;
    readonly key: string;
    readonly event: BusEvents[K];
  };
}[keyof BusEvents];

/** Frames pushed over the bus are at most this large (the protocol's frame limit bounds them anyway). */
const MAX_PUSH_BYTES = 1 << 24;

/** Envelopes ride along with a mail signal only up to this many body bytes (else the mailbox is read). */
export const MAX_SIGNAL_BODY_BYTES = 64 * 1024;

/**
 * The wire form of a mail signal: its envelopes only with `prev` (see {@link MailSignal}), only 1:1
 * envelopes (a group envelope's fields are read from the mailbox), and only up to
 * {@link MAX_SIGNAL_BODY_BYTES}.
 */
function encodeMail(e: MailSignal): CborMap {
  const out: CborMap = { account: e.account, deviceId: e.deviceId };
  const envelopes = e.envelopes;
  if (envelopes === undefined || e.prev === undefined || envelopes.length === 0) return out;
  let bytes = 0;
  for (const x of envelopes) {
    if (x.group !== undefined) return out;
    bytes += x.body.byteLength;
  }
  if (bytes > MAX_SIGNAL_BODY_BYTES) return out;
  out.p = e.prev;
  out.v = envelopes.map((x) => ({
    s: x.seq,
    i: x.id,
    a: x.sender.account,
    d: x.sender.deviceId,
    b: x.body,
    r: x.receivedAt,
  }));
  return out;
}

const isUint = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The envelopes of a mail signal from another node, for `recipient`; throws on anything malformed. */
function decodeEnvelopes(v: unknown, account: string, deviceId: number): StoredEnvelope[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > 1024) throw new Error('bad bus envelopes');
  const recipient = { account, deviceId };
  return v.map((x: unknown): StoredEnvelope => {
    if (
      !isMap(x) ||
      !isUint(x.s) ||
      !(x.i instanceof Uint8Array) ||
      typeof x.a !== 'string' ||
      !isUint(x.d) ||
      !(x.b instanceof Uint8Array) ||
      !isUint(x.r)
    ) {
      throw new Error('bad bus envelope');
    }
    return {
      seq: x.s,
      id: x.i,
      sender: { account: x.a, deviceId: x.d },
      recipient,
      body: x.b,
      receivedAt: x.r,
    };
  });
}

/** Encodes a message. Throws when a pushed frame does not match its schema. */
export function encodeBusMessage(m: BusMessage): Uint8Array {
  return encodeCbor(busMessageMap(m));
}

/** The first byte of a batch (never the first byte of a CBOR map, so a single message is told apart). */
const BATCH_TAG = 0xff;
/** Bytes of a node id. */
const NODE_BYTES = 16;

/**
 * Encodes several messages of one node as one (one PUBLISH): a tag byte, the 16-byte node id, then the
 * messages as a CBOR array of {kind, key, event}, each event itself CBOR in a byte string. So a node
 * skips its own batches without decoding them ({@link batchFromNode}), and decodes only the events it
 * has subscribers for (see {@link decodeBusMessages}). Throws as {@link encodeBusMessage}, or when `node`
 * is not 16 bytes.
 */
export function encodeBusBatch(node: Uint8Array, messages: readonly Omit<BusMessage, 'node'>[]): Uint8Array {
  if (node.byteLength !== NODE_BYTES) throw new Error('a bus node id is 16 bytes');
  const body = encodeCbor(
    messages.map((m) => {
      const { k, y, e } = busMessageMap({ ...m, node } as BusMessage);
      return { k, y, e: encodeCbor(e) };
    }),
  );
  const out = new Uint8Array(1 + NODE_BYTES + body.byteLength);
  out[0] = BATCH_TAG;
  out.set(node, 1);
  out.set(body, 1 + NODE_BYTES);
  return out;
}

/** True when `bytes` is a batch published by `node` (checked without decoding it). */
export function batchFromNode(bytes: Uint8Array, node: Uint8Array): boolean {
  if (bytes.byteLength < 1 + NODE_BYTES || bytes[0] !== BATCH_TAG) return false;
  for (let i = 0; i < NODE_BYTES; i++) if (bytes[1 + i] !== node[i]) return false;
  return true;
}

function busMessageMap(m: BusMessage): { n: Uint8Array; k: string; y: string; e: CborMap } {
  const event: CborMap =
    m.kind === 'push'
      ? { frame: encodeFrame(m.event.frame, { maxFrameBytes: MAX_PUSH_BYTES }) }
      : m.kind === 'cache'
        ? m.event.kind === 'account'
          ? { c: m.event.kind, account: m.event.account }
          : { c: m.event.kind }
        : m.kind === 'mail'
          ? encodeMail(m.event)
          : { account: m.event.account, deviceId: m.event.deviceId };
  return { n: m.node, k: m.kind, y: m.key, e: event };
}

const isMap = (v: unknown): v is CborMap => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Decodes a message; throws on anything that is not one. */
export function decodeBusMessage(bytes: Uint8Array): BusMessage {
  const m = decodeCbor(bytes, { maxDepth: 6 });
  if (!isMap(m) || !(m.n instanceof Uint8Array)) throw new Error('bad bus message');
  return decodeOne(m.n, m);
}

/**
 * Decodes a message or a batch ({@link encodeBusBatch}) into its messages; of a batch, only those
 * `wanted` says this node has subscribers for (the rest are not decoded further). Throws on anything
 * that is not a message or a batch, and on a malformed wanted event.
 */
export function decodeBusMessages(
  bytes: Uint8Array,
  wanted: (kind: string, key: string) => boolean = () => true,
): BusMessage[] {
  if (bytes[0] !== BATCH_TAG) return [decodeBusMessage(bytes)];
  if (bytes.byteLength < 1 + NODE_BYTES) throw new Error('bad bus batch');
  const node = bytes.slice(1, 1 + NODE_BYTES);
  const list = decodeCbor(bytes.subarray(1 + NODE_BYTES), { maxDepth: 2 });
  if (!Array.isArray(list)) throw new Error('bad bus batch');
  const out: BusMessage[] = [];
  for (const x of list) {
    if (!isMap(x) || typeof x.k !== 'string' || typeof x.y !== 'string' || !(x.e instanceof Uint8Array)) {
      throw new Error('bad bus message');
    }
    if (!wanted(x.k, x.y)) continue;
    out.push(decodeOne(node, { k: x.k, y: x.y, e: decodeCbor(x.e, { maxDepth: 4 }) }));
  }
  return out;
}

function decodeOne(node: Uint8Array, m: CborMap): BusMessage {
  if (typeof m.y !== 'string' || !isMap(m.e)) throw new Error('bad bus message');
  const { y: key, e } = m;
  if (m.k === 'push') {
    if (!(e.frame instanceof Uint8Array)) throw new Error('bad bus push');
    return {
      node,
      kind: 'push',
      key,
      event: { frame: decodeFrame(e.frame, { maxFrameBytes: MAX_PUSH_BYTES }, 'server') },
    };
  }
  if (m.k === 'cache') {
    if (e.c === 'account' && typeof e.account === 'string') {
      return { node, kind: 'cache', key, event: { kind: 'account', account: e.account } };
    }
    if (e.c === 'relations' || e.c === 'all') return { node, kind: 'cache', key, event: { kind: e.c } };
    throw new Error('bad bus cache event');
  }
  if (m.k !== 'mail' && m.k !== 'kick') throw new Error('bad bus kind');
  const { account, deviceId } = e;
  if (typeof account !== 'string' || !isUint(deviceId)) throw new Error('bad bus device');
  if (m.k === 'mail' && e.v !== undefined) {
    if (!isUint(e.p)) throw new Error('bad bus mail');
    const envelopes = decodeEnvelopes(e.v, account, deviceId);
    return { node, kind: 'mail', key, event: { account, deviceId, envelopes, prev: e.p } };
  }
  return { node, kind: m.k, key, event: { account, deviceId } };
}
