/**
 * Relay frames: send one ciphertext per device, receive envelopes, acknowledge them.
 * Delivery is at-least-once: the server deletes an envelope only after `ack`; clients drop
 * duplicates by envelope id. Typing indicators and receipts are ordinary bodies: the server cannot tell
 * them from messages, and stores and delivers them alike (ADR 0009).
 */

import { WIRE_BOUNDS } from '../limits.js';
import { accountName } from '../names.js';
import type { Infer } from '../schema/core.js';
import { array, frame, object } from '../schema/object.js';
import { bool, bytes, optional } from '../schema/primitives.js';
import { deviceAddress, deviceId, envelopeId, messageBody, requestId, timestampMs } from './common.js';
import { envelopeGroup } from './groups.js';

/** One ciphertext addressed to one device. */
export const outgoingMessage = object({ account: accountName, deviceId, body: messageBody });

/** One ciphertext addressed to one device. */
export type OutgoingMessage = Infer<typeof outgoingMessage>;

/**
 * Client → server: deliver a message to `to`. `messages` holds one ciphertext for every current
 * device of `to` and one for every other current device of the sender (DEVICE_MISMATCH otherwise).
 * Answer: `sent`, or `error` (DEVICE_MISMATCH, NOT_A_CONTACT, BLOCKED, MAILBOX_FULL, RATE_LIMITED).
 */
export const sendFrame = frame('send', {
  id: requestId,
  to: accountName,
  messages: array(outgoingMessage, { min: 1, max: WIRE_BOUNDS.messagesPerSend }),
});

/**
 * Server → client: answer to `send`; `envelopeIds[i]` is the envelope of `messages[i]`. `recipientBusy` is
 * true (and otherwise absent) when `to` is another account whose presence is `busy`: the sender, an
 * accepted contact, is shown that presence anyway; the message is stored and delivered as usual.
 */
export const sentFrame = frame('sent', {
  id: requestId,
  envelopeIds: array(envelopeId, { max: WIRE_BOUNDS.messagesPerSend }),
  serverTime: timestampMs,
  recipientBusy: optional(bool()),
});

/** The largest body any envelope carries: a 1:1 ciphertext, or a group's commit, Welcome or message. */
const ENVELOPE_BODY_BYTES = Math.max(
  WIRE_BOUNDS.messageBodyBytes,
  WIRE_BOUNDS.groupCommitBytes,
  WIRE_BOUNDS.groupWelcomeBytes,
  WIRE_BOUNDS.groupMessageBytes,
);

/**
 * Server → client push: one stored ciphertext for this device. With `group`, it is a group's commit,
 * Welcome or application message (ADR 0018), and may be a large frame (up to
 * `WIRE_BOUNDS.largeFrameBytes`); without, a 1:1 body of at most `messageBodyBytes`.
 */
export const envelopeFrame = frame('envelope', {
  envelopeId,
  from: deviceAddress,
  serverTime: timestampMs,
  body: bytes({ min: 1, max: ENVELOPE_BODY_BYTES }),
  group: optional(envelopeGroup),
});

/** Client → server: these envelopes are stored durably; the server deletes them. No answer. */
export const ackFrame = frame('ack', {
  envelopeIds: array(envelopeId, { min: 1, max: WIRE_BOUNDS.envelopeIdsPerFrame }),
});
