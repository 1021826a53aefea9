/**
 * The end-to-end content encoding: what goes inside a ciphertext. Small, versioned CBOR maps, checked by a
 * schema on arrival (the sender is authenticated, but its input is still untrusted):
 * - `text`: a message with its id, the sender's clock and the sending device's sequence number;
 * - `receipt`: delivered or read, for message ids;
 * - `typing`: started or stopped (stored and delivered like any message, so the server cannot tell it
 *   apart; a receiver ignores one that arrives late);
 * - `block`: a sync between one's own devices that `to` was blocked or unblocked on one of them;
 * - `device-name`: a sync between one's own devices: the sending device's name.
 * A copy for one's own other devices carries `to` (the conversation), so every device of an account shows
 * the whole conversation, including what its sibling devices sent and read.
 */

import { SottoError } from '@sotto/crypto';
import type { CborValue } from '@sotto/protocol';
import {
  accountName,
  array,
  bool,
  bytes,
  decodeCbor,
  encodeCbor,
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

const messageId = bytes({ length: MESSAGE_ID_BYTES });

const contentSchema = object({
  v: uint({ min: 1, max: 1 }),
  t: oneOf(['text', 'receipt', 'typing', 'block', 'device-name'] as const),
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
});

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
  | { readonly t: 'device-name'; readonly to?: undefined; readonly name: string };

/** Encodes content (INVALID_ARGUMENT when out of bounds). */
export function encodeContent(c: Content): Uint8Array {
  const value: Record<string, CborValue> = { v: 1, t: c.t };
  if (c.to !== undefined) value.to = c.to;
  if (c.t === 'text') Object.assign(value, { id: c.id, sentAt: c.sentAt, seq: c.seq, text: c.text });
  else if (c.t === 'receipt') Object.assign(value, { receipt: c.receipt, ids: [...c.ids] });
  else if (c.t === 'typing') value.typing = c.typing;
  else if (c.t === 'block') value.blocked = c.blocked;
  else value.name = c.name;
  validate(contentSchema, value, 'INVALID_ARGUMENT');
  return encodeCbor(value);
}

/** Decodes content; throws MALFORMED_ENCODING on anything out of shape. */
export function decodeContent(bytes: Uint8Array): Content {
  let r: ReturnType<typeof contentSchema.check>;
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
  throw new SottoError('MALFORMED_ENCODING', 'content: missing fields');
}
