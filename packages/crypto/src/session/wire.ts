/**
 * The wire format of 1:1 ciphertexts. Every ciphertext opens with its kind (CIPHERTEXT_KIND) and the
 * protocol version, so a backup or group ciphertext can never be parsed as a 1:1 message:
 *
 *   message:        [0x02][version][header][sealed]
 *   prekey message: [0x01][version][handshake][header][sealed]
 *   handshake:      [cert len u16][initiator device certificate][signed prekey id u32][KEM prekey id u32]
 *                   [has one-time prekey u8][one-time prekey id u32]?[base key 32][KEM ct len u16][KEM ct]
 *   header:         [ratchet key 32][previous chain length u32][counter u32]      (Double Ratchet §3.4)
 *   sealed:         AES-256-GCM(padded plaintext) || tag, AD = session AD || every byte before `sealed`
 *
 * Decoders are bounded: each field has a fixed size or a maximum, and the sealed part must be a padding
 * bucket plus the tag, so nothing trails. The ML-KEM ciphertext is mandatory in v1 (PQXDH): a prekey
 * message without it is a downgrade and is rejected with UNSUPPORTED_VERSION.
 */

import { ByteReader, ByteWriter } from '../binary.js';
import { abytes } from '../bytes.js';
import { SottoError } from '../errors.js';
import { CIPHERTEXT_KIND, PROTOCOL_VERSION } from '../labels.js';
import { SIZES } from '../provider.js';
import { SESSION_LIMITS } from './limits.js';
import { isPaddedSize } from './padding.js';

/** Double Ratchet §3.4 header. */
export interface MessageHeader {
  /** The sender's current ratchet public key (X25519). */
  readonly ratchetKey: Uint8Array;
  /** Number of messages in the sender's previous sending chain (PN). */
  readonly previousChainLength: number;
  /** Message number in the current sending chain (N). */
  readonly counter: number;
}

/** PQXDH §3.3: what the initiator sends so the responder can derive the same SK. */
export interface Handshake {
  /** The initiator's device certificate, as encoded by the keys module. */
  readonly initiatorCertificate: Uint8Array;
  readonly signedPrekeyId: number;
  readonly kemPrekeyId: number;
  readonly oneTimePrekeyId: number | undefined;
  /** The initiator's ephemeral X25519 key EK_A; it also identifies the handshake. */
  readonly baseKey: Uint8Array;
  /** ML-KEM-768 ciphertext CT encapsulated to the responder's KEM prekey. */
  readonly kemCiphertext: Uint8Array;
}

/** A parsed 1:1 ciphertext. */
export interface WireMessage {
  readonly handshake: Handshake | undefined;
  readonly header: MessageHeader;
  /** Every byte before `sealed`: authenticated as AD after the session AD. */
  readonly authenticated: Uint8Array;
  readonly sealed: Uint8Array;
}

/** Bytes of the header. */
export const HEADER_SIZE = SIZES.x25519PublicKey + 8;
const MIN_SEALED = 256 + SIZES.aesTag;

/** Encodes the prefix of a prekey message: kind, version and the handshake. */
export function encodeHandshakePrefix(h: Handshake): Uint8Array {
  const w = new ByteWriter(64 + h.initiatorCertificate.length + h.kemCiphertext.length);
  w.u8(CIPHERTEXT_KIND.prekeyMessage).u8(PROTOCOL_VERSION);
  w.u16(h.initiatorCertificate.length).raw(h.initiatorCertificate);
  w.u32(h.signedPrekeyId).u32(h.kemPrekeyId);
  if (h.oneTimePrekeyId === undefined) w.u8(0);
  else w.u8(1).u32(h.oneTimePrekeyId);
  w.raw(abytes(h.baseKey, SIZES.x25519PublicKey, 'base key'));
  w.u16(h.kemCiphertext.length).raw(abytes(h.kemCiphertext, SIZES.mlkem768Ciphertext, 'KEM ciphertext'));
  return w.finish();
}

/** The two-byte prefix of a plain message. */
export const MESSAGE_PREFIX = Uint8Array.of(CIPHERTEXT_KIND.message, PROTOCOL_VERSION);

/** Writes the header into `out` at `offset` (the hot path builds AD and wire bytes in one buffer). */
export function writeHeader(out: Uint8Array, offset: number, header: MessageHeader): void {
  out.set(header.ratchetKey, offset);
  writeU32(out, offset + SIZES.x25519PublicKey, header.previousChainLength);
  writeU32(out, offset + SIZES.x25519PublicKey + 4, header.counter);
}

function writeU32(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 24;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
}

function readU32(b: Uint8Array, at: number): number {
  const hi = ((b[at] as number) << 24) | ((b[at + 1] as number) << 16);
  return (hi | ((b[at + 2] as number) << 8) | (b[at + 3] as number)) >>> 0;
}

/**
 * The kind of a 1:1 ciphertext. Throws WRONG_MESSAGE_KIND for another Sotto kind (backup, group) or an
 * unknown one, MALFORMED_ENCODING for empty input.
 */
export function messageKind(bytes: Uint8Array): 'prekey' | 'message' {
  abytes(bytes, undefined, 'ciphertext');
  if (bytes.length === 0) throw new SottoError('MALFORMED_ENCODING', 'ciphertext: empty');
  if (bytes[0] === CIPHERTEXT_KIND.prekeyMessage) return 'prekey';
  if (bytes[0] === CIPHERTEXT_KIND.message) return 'message';
  throw new SottoError('WRONG_MESSAGE_KIND', 'ciphertext: not a 1:1 message');
}

function readHandshake(r: ByteReader): Handshake {
  const certLength = r.u16();
  if (certLength > SESSION_LIMITS.maxCertificateBytes) {
    throw new SottoError('MALFORMED_ENCODING', 'prekey message: certificate too long');
  }
  const initiatorCertificate = r.raw(certLength);
  const signedPrekeyId = r.u32();
  const kemPrekeyId = r.u32();
  const hasOneTime = r.u8();
  if (hasOneTime > 1) throw new SottoError('MALFORMED_ENCODING', 'prekey message: invalid flag');
  const oneTimePrekeyId = hasOneTime === 1 ? r.u32() : undefined;
  const baseKey = r.raw(SIZES.x25519PublicKey);
  const kemLength = r.u16();
  // PQXDH is mandatory in v1: an X3DH-only first message is a downgrade, never a fallback.
  if (kemLength === 0)
    throw new SottoError('UNSUPPORTED_VERSION', 'prekey message: the ML-KEM part is mandatory');
  if (kemLength !== SIZES.mlkem768Ciphertext) {
    throw new SottoError('MALFORMED_ENCODING', 'prekey message: wrong KEM ciphertext length');
  }
  const kemCiphertext = r.raw(kemLength);
  return { initiatorCertificate, signedPrekeyId, kemPrekeyId, oneTimePrekeyId, baseKey, kemCiphertext };
}

/**
 * Parses a 1:1 ciphertext of either kind. Throws WRONG_MESSAGE_KIND, UNSUPPORTED_VERSION (another version,
 * or a prekey message without its ML-KEM part) or MALFORMED_ENCODING (truncated, out of range, or a sealed
 * part that is not a padding bucket plus tag).
 */
export function parseMessage(bytes: Uint8Array): WireMessage {
  const kind = messageKind(bytes);
  if (bytes.length < MESSAGE_PREFIX.length)
    throw new SottoError('MALFORMED_ENCODING', 'ciphertext: truncated');
  if (bytes[1] !== PROTOCOL_VERSION) {
    throw new SottoError('UNSUPPORTED_VERSION', 'ciphertext: unsupported version');
  }
  let handshake: Handshake | undefined;
  let at = MESSAGE_PREFIX.length;
  if (kind === 'prekey') {
    const r = new ByteReader(bytes.subarray(at), 'prekey message');
    handshake = readHandshake(r);
    at = bytes.length - r.remaining;
  }
  // Plain messages skip the generic reader: this runs once per message.
  const sealedLength = bytes.length - at - HEADER_SIZE;
  if (sealedLength < MIN_SEALED || !isPaddedSize(sealedLength - SIZES.aesTag)) {
    throw new SottoError('MALFORMED_ENCODING', 'ciphertext: truncated, or body is not a padded size');
  }
  const split = at + HEADER_SIZE;
  return {
    handshake,
    header: {
      ratchetKey: bytes.slice(at, at + SIZES.x25519PublicKey),
      previousChainLength: readU32(bytes, at + SIZES.x25519PublicKey),
      counter: readU32(bytes, at + SIZES.x25519PublicKey + 4),
    },
    authenticated: bytes.subarray(0, split),
    sealed: bytes.subarray(split),
  };
}
