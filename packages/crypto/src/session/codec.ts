/**
 * Session state to versioned bytes and back, for storage (encrypt it at rest: it holds secret keys).
 *
 *   [state version u8][tag 0x41][role u8][local party][remote party][root key 32]
 *   [sending ratchet public 32][secret 32][sending chain][PN u32][remote ratchet key 32][receiving chain?]
 *   [skipped count u16][(ratchet key 32, counter u32, message key 32)*][retired ratchet keys u8 (32)*]
 *   [base key 32][pending handshake?][retired base keys u8 (32)*]
 *
 * Decoding is bounded and strict (each list has its session limit, flags are 0 or 1, no trailing bytes), so
 * a corrupted or hostile record is rejected with MALFORMED_ENCODING and never yields a half-valid state.
 */

import { ByteReader, ByteWriter } from '../binary.js';
import { abytes } from '../bytes.js';
import { SottoError } from '../errors.js';
import { CIPHERTEXT_KIND } from '../labels.js';
import { SIZES } from '../provider.js';
import { SESSION_LIMITS } from './limits.js';
import { readParty, writeParty } from './party.js';
import { redacted } from './redact.js';
import {
  type ChainState,
  chainState,
  createState,
  SESSION_STATE_VERSION,
  type SessionState,
  type SkippedKey,
  skippedKey,
} from './state.js';
import { checkX25519PublicKey } from './x25519.js';

/** Structure tag of an encoded session state (distinct from every key, structure and ciphertext tag). */
const STATE_TAG = 0x41;
const KEY = 32;
/** A pending handshake is a prekey-message prefix: certificate, ids, base key and KEM ciphertext. */
const MAX_PENDING = 64 + SESSION_LIMITS.maxCertificateBytes + SIZES.mlkem768Ciphertext;

function writeChain(w: ByteWriter, chain: ChainState | undefined): void {
  if (chain === undefined) w.u8(0);
  else w.u8(1).raw(chain.chainKey).u32(chain.counter);
}

function readChain(r: ByteReader): ChainState | undefined {
  return readFlag(r) ? chainState(r.raw(KEY), r.u32()) : undefined;
}

function readFlag(r: ByteReader): boolean {
  const b = r.u8();
  if (b > 1) throw new SottoError('MALFORMED_ENCODING', 'session state: invalid flag');
  return b === 1;
}

function readCount(r: ByteReader, max: number, wide: boolean): number {
  const n = wide ? r.u16() : r.u8();
  if (n > max) throw new SottoError('MALFORMED_ENCODING', 'session state: list too long');
  return n;
}

/** Encodes a session state. The result is secret: store it encrypted and never log it. */
export function encodeSessionState(state: SessionState): Uint8Array {
  const w = new ByteWriter(1024 + state.skipped.length * 68);
  w.u8(SESSION_STATE_VERSION)
    .u8(STATE_TAG)
    .u8(state.role === 'initiator' ? 0 : 1);
  writeParty(w, state.local);
  writeParty(w, state.remote);
  w.raw(abytes(state.rootKey, KEY, 'root key'));
  w.raw(state.sendingRatchetKey.publicKey).raw(state.sendingRatchetKey.secretKey);
  if (state.sendingChain === undefined || state.remoteRatchetKey === undefined) {
    throw new SottoError('INVALID_ARGUMENT', 'session state: incomplete session');
  }
  writeChain(w, state.sendingChain);
  w.u32(state.previousSendingLength);
  w.raw(state.remoteRatchetKey);
  writeChain(w, state.receivingChain);
  w.u16(state.skipped.length);
  for (const s of state.skipped) w.raw(s.ratchetKey).u32(s.counter).raw(s.messageKey);
  w.u8(state.retiredRemoteRatchetKeys.length);
  for (const k of state.retiredRemoteRatchetKeys) w.raw(k);
  w.raw(state.baseKey);
  if (state.pendingHandshake === undefined) w.u8(0);
  else w.u8(1).u16(state.pendingHandshake.length).raw(state.pendingHandshake);
  w.u8(state.retiredBaseKeys.length);
  for (const k of state.retiredBaseKeys) w.raw(k);
  return w.finish();
}

/**
 * Decodes {@link encodeSessionState}. Throws UNSUPPORTED_VERSION for another state version and
 * MALFORMED_ENCODING for anything truncated, trailing, out of range or inconsistent.
 */
export function decodeSessionState(bytes: Uint8Array): SessionState {
  abytes(bytes, undefined, 'session state');
  const r = new ByteReader(bytes, 'session state');
  if (r.u8() !== SESSION_STATE_VERSION)
    throw new SottoError('UNSUPPORTED_VERSION', 'session state: unsupported version');
  if (r.u8() !== STATE_TAG) throw new SottoError('MALFORMED_ENCODING', 'session state: not a session state');
  const roleByte = r.u8();
  if (roleByte > 1) throw new SottoError('MALFORMED_ENCODING', 'session state: invalid role');
  const role = roleByte === 0 ? 'initiator' : 'responder';
  const local = readParty(r);
  const remote = readParty(r);
  const rootKey = r.raw(KEY);
  const sendingRatchetKey = redacted({ publicKey: r.raw(KEY), secretKey: r.raw(KEY) });
  const sendingChain = readChain(r);
  if (sendingChain === undefined)
    throw new SottoError('MALFORMED_ENCODING', 'session state: no sending chain');
  const previousSendingLength = r.u32();
  const remoteRatchetKey = r.raw(KEY);
  const receivingChain = readChain(r);
  // A responder's state is created by decrypting a message, so it always has a receiving chain.
  if (receivingChain === undefined && role === 'responder') {
    throw new SottoError('MALFORMED_ENCODING', 'session state: no receiving chain');
  }
  const skippedCount = readCount(r, SESSION_LIMITS.maxSkippedKeys, true);
  const skipped: SkippedKey[] = [];
  for (let i = 0; i < skippedCount; i++) {
    skipped.push(skippedKey(r.raw(KEY), r.u32(), r.raw(KEY)));
  }
  const retiredRemoteRatchetKeys: Uint8Array[] = [];
  const retiredCount = readCount(r, SESSION_LIMITS.maxRetiredRatchetKeys, false);
  for (let i = 0; i < retiredCount; i++) retiredRemoteRatchetKeys.push(r.raw(KEY));
  const baseKey = r.raw(KEY);
  let pendingHandshake: Uint8Array | undefined;
  if (readFlag(r)) {
    const length = r.u16();
    if (length > MAX_PENDING) throw new SottoError('MALFORMED_ENCODING', 'session state: handshake too long');
    pendingHandshake = r.raw(length);
    if (role !== 'initiator' || pendingHandshake[0] !== CIPHERTEXT_KIND.prekeyMessage) {
      throw new SottoError('MALFORMED_ENCODING', 'session state: invalid pending handshake');
    }
  }
  const retiredBaseKeys: Uint8Array[] = [];
  const retiredBaseCount = readCount(r, SESSION_LIMITS.maxRetiredHandshakes, false);
  for (let i = 0; i < retiredBaseCount; i++) retiredBaseKeys.push(r.raw(KEY));
  r.finish();
  try {
    checkX25519PublicKey(remoteRatchetKey, 'remote ratchet key');
    checkX25519PublicKey(remote.dhKey, 'remote device key');
  } catch (cause) {
    throw new SottoError('MALFORMED_ENCODING', 'session state: invalid key', { cause });
  }
  return createState({
    role,
    local,
    remote,
    rootKey,
    sendingRatchetKey,
    sendingChain,
    previousSendingLength,
    remoteRatchetKey,
    receivingChain,
    skipped,
    retiredRemoteRatchetKeys,
    baseKey,
    pendingHandshake,
    retiredBaseKeys,
  });
}
