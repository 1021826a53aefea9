/**
 * Session records: per remote device, the current session state first and up to four older ones. Keeping
 * older states lets two devices that started sessions with each other at the same time converge (a
 * message decrypts in whichever state it belongs to, and that state becomes current), as in Signal's
 * session records. States are decoded from the store on every use; the store is the only truth.
 */

import {
  type AcceptResult,
  acceptPrekeyMessage,
  type CryptoProvider,
  decodeSessionState,
  decryptMessage,
  encodeSessionState,
  type LocalDevice,
  messageKind,
  type PrekeySecrets,
  type SessionState,
  SottoError,
} from '@sotto/crypto';
import { array, bytes, object } from '@sotto/protocol';
import { sessionKey } from './directory.js';
import { decodeRecord, encodeRecord } from './records.js';
import { type ClientStore, put, type StoreOp } from './store/store.js';

/** Older session states kept per device besides the current one. */
export const MAX_OLD_SESSIONS = 4;

const recordSchema = object({ states: array(bytes({ max: 256 * 1024 }), { max: MAX_OLD_SESSIONS + 1 }) });

/** The session states of a device, current first (empty when there is none). */
export async function loadSessions(
  store: ClientStore,
  account: string,
  deviceId: number,
): Promise<SessionState[]> {
  const raw = await store.get('sessions', sessionKey(account, deviceId));
  if (raw === undefined) return [];
  return decodeRecord(recordSchema, raw).states.map((s) => decodeSessionState(s));
}

/** The operation storing `states` (current first, trimmed) for a device. */
export function sessionsOp(account: string, deviceId: number, states: readonly SessionState[]): StoreOp {
  const kept = states.slice(0, MAX_OLD_SESSIONS + 1).map((s) => encodeSessionState(s));
  return put('sessions', sessionKey(account, deviceId), encodeRecord(recordSchema, { states: kept }));
}

/** A decrypted ciphertext with the device's new session list. */
export interface Decrypted {
  readonly plaintext: Uint8Array;
  /** The state that decrypted it: its `remote` is the authenticated sender. */
  readonly state: SessionState;
  /** The device's states to store, current first. */
  readonly states: SessionState[];
  /** Set when a new handshake was accepted (prekeys to delete). */
  readonly accepted?: AcceptResult;
}

/**
 * Decrypts a ciphertext from `account`/`deviceId`: in the state it belongs to (which becomes current), or,
 * for a new handshake, by accepting it (the new session becomes current). Pure: nothing is stored.
 * Throws the session layer's codes (AUTH_FAILED, DUPLICATE_MESSAGE, SESSION_NOT_FOUND, …).
 */
export async function decryptFrom(
  p: CryptoProvider,
  store: ClientStore,
  self: LocalDevice,
  prekeys: PrekeySecrets,
  account: string,
  deviceId: number,
  ciphertext: Uint8Array,
): Promise<Decrypted> {
  const states = await loadSessions(store, account, deviceId);
  let firstError: unknown;
  for (let i = 0; i < states.length; i++) {
    const s = states[i] as SessionState;
    try {
      const { state, plaintext } = await decryptMessage(p, s, ciphertext);
      return { plaintext, state, states: [state, ...states.filter((_, j) => j !== i)] };
    } catch (err) {
      if (SottoError.is(err, 'DUPLICATE_MESSAGE')) throw err;
      firstError ??= err;
    }
  }
  if (messageKind(ciphertext) !== 'prekey') {
    throw firstError ?? new SottoError('SESSION_NOT_FOUND', 'No session with this device.');
  }
  const accepted = await acceptPrekeyMessage(p, { self, prekeys, session: states[0] }, ciphertext);
  return {
    plaintext: accepted.plaintext,
    state: accepted.state,
    states: [accepted.state, ...states],
    accepted,
  };
}
