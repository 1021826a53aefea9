/**
 * The state of a 1:1 session: plain, versioned data (Double Ratchet §3.2 state variables plus the
 * handshake bookkeeping). Operations never mutate a state; they return a new one (see ratchet.ts), so a
 * failed decryption leaves the caller's state exactly as it was. States render as `[redacted]`.
 */

import type { KeyPair } from '../provider.js';
import { sessionAd } from './ad.js';
import type { Party } from './party.js';
import { redacted } from './redact.js';

/** Which side of the handshake this device was. */
export type SessionRole = 'initiator' | 'responder';

/** A symmetric-key chain (Double Ratchet §2.2): the chain key and the number of the next message. */
export interface ChainState {
  readonly chainKey: Uint8Array;
  readonly counter: number;
}

/** A message key kept for a message that has not arrived yet (Double Ratchet §3.2 MKSKIPPED). */
export interface SkippedKey {
  readonly ratchetKey: Uint8Array;
  readonly counter: number;
  readonly messageKey: Uint8Array;
}

/** Version of the session state encoding and shape. */
export const SESSION_STATE_VERSION = 1;

/** A session with one remote device. Treat as opaque: persist it with `encodeSessionState`. */
export interface SessionState {
  readonly version: typeof SESSION_STATE_VERSION;
  readonly role: SessionRole;
  /** This device. */
  readonly local: Party;
  /** The remote device: every message this state decrypts is attributed to it. */
  readonly remote: Party;
  /** RK. */
  readonly rootKey: Uint8Array;
  /** DHs. */
  readonly sendingRatchetKey: KeyPair;
  /** CKs and Ns; undefined only inside the responder's handshake before its first DH ratchet step. */
  readonly sendingChain: ChainState | undefined;
  /** PN. */
  readonly previousSendingLength: number;
  /** DHr. */
  readonly remoteRatchetKey: Uint8Array | undefined;
  /** CKr and Nr. */
  readonly receivingChain: ChainState | undefined;
  /** MKSKIPPED, oldest first, at most SESSION_LIMITS.maxSkippedKeys. */
  readonly skipped: readonly SkippedKey[];
  /** Remote ratchet keys of closed receiving chains, newest last (bounded). */
  readonly retiredRemoteRatchetKeys: readonly Uint8Array[];
  /** EK_A of this session's handshake: it identifies the handshake. */
  readonly baseKey: Uint8Array;
  /** Initiator only: the prekey-message prefix, sent until a reply proves the responder has the session. */
  readonly pendingHandshake: Uint8Array | undefined;
  /** Base keys of earlier handshakes with the same device (bounded): their replays are duplicates. */
  readonly retiredBaseKeys: readonly Uint8Array[];
  /** Session AD of outgoing messages (derived from the parties and role; not serialized). */
  readonly sendAd: Uint8Array;
  /** Session AD of incoming messages (derived; not serialized). */
  readonly receiveAd: Uint8Array;
}

/** A chain state (renders as `[redacted]`). */
export function chainState(chainKey: Uint8Array, counter: number): ChainState {
  return redacted({ chainKey, counter });
}

/** A skipped message key (renders as `[redacted]`). */
export function skippedKey(ratchetKey: Uint8Array, counter: number, messageKey: Uint8Array): SkippedKey {
  return redacted({ ratchetKey, counter, messageKey });
}

/** The fields a state is built from; the AD fields are derived. */
export type SessionFields = Omit<SessionState, 'sendAd' | 'receiveAd' | 'version'>;

/** Builds a state from its fields, deriving the directional AD once. */
export function createState(fields: SessionFields): SessionState {
  const [initiator, responder] =
    fields.role === 'initiator' ? [fields.local, fields.remote] : [fields.remote, fields.local];
  const toResponder = sessionAd(initiator, responder, 'initiator-to-responder');
  const toInitiator = sessionAd(initiator, responder, 'responder-to-initiator');
  return redacted({
    version: SESSION_STATE_VERSION,
    ...fields,
    sendAd: fields.role === 'initiator' ? toResponder : toInitiator,
    receiveAd: fields.role === 'initiator' ? toInitiator : toResponder,
  });
}

/** A new state with some fields replaced (the AD carries over: parties and role never change). */
export function updateState(state: SessionState, changes: Partial<SessionFields>): SessionState {
  return redacted({ ...state, ...changes });
}
