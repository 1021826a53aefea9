/**
 * The bytes a bus event travels as between nodes: one strict-CBOR map naming the sending node, the kind,
 * the key and the event. A `push` event's frame is encoded and validated with the frame codec, so what a
 * node hands to its sockets is a well-formed server frame even if Redis carried garbage.
 */
import { type CborMap, decodeCbor, decodeFrame, encodeCbor, encodeFrame } from '@sotto/protocol';
import type { BusEvents } from './bus.js';

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

/** Encodes a message. Throws when a pushed frame does not match its schema. */
export function encodeBusMessage(m: BusMessage): Uint8Array {
  const event: CborMap =
    m.kind === 'push'
      ? { frame: encodeFrame(m.event.frame, { maxFrameBytes: MAX_PUSH_BYTES }) }
      : m.kind === 'cache'
        ? m.event.kind === 'account'
          ? { c: m.event.kind, account: m.event.account }
          : { c: m.event.kind }
        : { account: m.event.account, deviceId: m.event.deviceId };
  return encodeCbor({ n: m.node, k: m.kind, y: m.key, e: event });
}

const isMap = (v: unknown): v is CborMap => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Decodes a message; throws on anything that is not one. */
export function decodeBusMessage(bytes: Uint8Array): BusMessage {
  const m = decodeCbor(bytes, { maxDepth: 4 });
  if (!isMap(m) || !(m.n instanceof Uint8Array) || typeof m.y !== 'string' || !isMap(m.e)) {
    throw new Error('bad bus message');
  }
  const { n: node, y: key, e } = m;
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
  if (typeof e.account !== 'string' || typeof e.deviceId !== 'number') throw new Error('bad bus device');
  return { node, kind: m.k, key, event: { account: e.account, deviceId: e.deviceId } };
}
