/**
 * The responder's half of PQXDH (rev. 2 §3.4) followed by Double Ratchet initialization (§3.3 "Bob") and
 * the decryption of the first message.
 */

import { equalBytes } from '../bytes.js';
import { SottoError } from '../errors.js';
import { decodeDeviceCertificate, verifyDeviceCertificate } from '../keys/certificate.js';
import type { KemPrekey, OneTimePrekey, PrekeyPair, SignedPrekey } from '../keys/prekeys.js';
import type { CryptoProvider } from '../provider.js';
import { pushBounded } from './chain.js';
import { SESSION_LIMITS } from './limits.js';
import { type LocalDevice, localParty, partyOf, sameDevice } from './local.js';
import { type Party, sameParty } from './party.js';
import { deriveSharedSecret, transcriptHash } from './pqxdh.js';
import { type DecryptResult, ratchetDecrypt } from './ratchet.js';
import { redacted } from './redact.js';
import { decryptMessage } from './session.js';
import { createState, type SessionState } from './state.js';
import { HEADER_SIZE, messageKind, parseMessage } from './wire.js';
import { checkX25519PublicKey, dh } from './x25519.js';

type Lookup<T> = (id: number) => T | undefined | Promise<T | undefined>;

/** Where the responder's prekey secrets come from (the client's key store). */
export interface PrekeySecrets {
  readonly signedPrekey: Lookup<PrekeyPair<SignedPrekey>>;
  readonly kemPrekey: Lookup<PrekeyPair<KemPrekey>>;
  readonly oneTimePrekey: Lookup<PrekeyPair<OneTimePrekey>>;
}

/** What {@link acceptPrekeyMessage} needs. */
export interface AcceptOptions {
  /** This device. */
  readonly self: LocalDevice;
  readonly prekeys: PrekeySecrets;
  /**
   * The current session with the sending device, if any. A prekey message of its handshake is decrypted
   * in it (the initiator repeats the handshake until it hears back); a replay of an earlier one is a
   * DUPLICATE_MESSAGE. A new handshake replaces it and remembers its base key.
   */
  readonly session?: SessionState | undefined;
  /** The identity key the caller trusts for the sender's account; UNTRUSTED_IDENTITY if it differs. */
  readonly remoteIdentityKey?: Uint8Array | undefined;
}

/** The accepted message and the session it established (or continued). */
export interface AcceptResult {
  readonly state: SessionState;
  readonly plaintext: Uint8Array;
  /** The sending device, as its certificate vouches. */
  readonly remote: Party;
  /** False when the message belonged to the session passed in. */
  readonly newSession: boolean;
  /** The one-time X25519 prekey consumed: delete it now. */
  readonly usedOneTimePrekeyId: number | undefined;
  /** The KEM prekey used: delete it unless `usedKemPrekeyLastResort`. */
  readonly usedKemPrekeyId: number | undefined;
  readonly usedKemPrekeyLastResort: boolean;
  readonly usedSignedPrekeyId: number | undefined;
}

async function lookup<T extends { id: number }>(
  find: Lookup<PrekeyPair<T>>,
  id: number,
  what: string,
): Promise<PrekeyPair<T>> {
  const pair = await find(id);
  if (pair === undefined || pair.public.id !== id)
    throw new SottoError('SESSION_NOT_FOUND', `unknown ${what} id`);
  return pair;
}

/**
 * Accepts a prekey message (PQXDH §3.4): verifies the sender's device certificate, finds the prekeys it
 * names, derives SK, initializes the ratchet and decrypts the first message. Pure: nothing is consumed
 * unless the message authenticates; the caller then deletes the one-time prekeys reported in the result.
 *
 * Throws WRONG_MESSAGE_KIND (not a prekey message), UNSUPPORTED_VERSION (other version, ML-KEM part
 * missing), MALFORMED_ENCODING, INVALID_SIGNATURE / UNTRUSTED_IDENTITY (sender certificate),
 * SESSION_NOT_FOUND (unknown prekey id), INVALID_PUBLIC_KEY, DUPLICATE_MESSAGE (a replayed handshake),
 * AUTH_FAILED (tampered, re-routed or reflected), TOO_MANY_SKIPPED.
 */
export async function acceptPrekeyMessage(
  p: CryptoProvider,
  options: AcceptOptions,
  ciphertext: Uint8Array,
): Promise<AcceptResult> {
  if (messageKind(ciphertext) !== 'prekey')
    throw new SottoError('WRONG_MESSAGE_KIND', 'not a prekey message');
  const message = parseMessage(ciphertext);
  const handshake = message.handshake;
  if (handshake === undefined) throw new SottoError('WRONG_MESSAGE_KIND', 'not a prekey message');
  const { self, prekeys, session } = options;

  if (session !== undefined && equalBytes(session.baseKey, handshake.baseKey)) {
    const { state, plaintext } = await decryptMessage(p, session, ciphertext);
    return {
      state,
      plaintext,
      remote: state.remote,
      newSession: false,
      usedOneTimePrekeyId: undefined,
      usedKemPrekeyId: undefined,
      usedKemPrekeyLastResort: false,
      usedSignedPrekeyId: undefined,
    };
  }
  if (session?.retiredBaseKeys.some((k) => equalBytes(k, handshake.baseKey))) {
    throw new SottoError('DUPLICATE_MESSAGE', 'prekey message: handshake already accepted');
  }

  const certificate = decodeDeviceCertificate(handshake.initiatorCertificate);
  await verifyDeviceCertificate(p, certificate, options.remoteIdentityKey);
  const local = localParty(self);
  const remote = partyOf(certificate);
  // A device never talks to itself: this is our own first message reflected back.
  if (sameDevice(local, remote)) throw new SottoError('AUTH_FAILED', 'prekey message: reflected');
  const baseKey = checkX25519PublicKey(handshake.baseKey, 'base key');

  const signed = await lookup(prekeys.signedPrekey, handshake.signedPrekeyId, 'signed prekey');
  const kem = await lookup(prekeys.kemPrekey, handshake.kemPrekeyId, 'KEM prekey');
  const oneTime =
    handshake.oneTimePrekeyId === undefined
      ? undefined
      : await lookup(prekeys.oneTimePrekey, handshake.oneTimePrekeyId, 'one-time prekey');

  const dhOutputs = [
    await dh(p, signed.secretKey, remote.dhKey, 'remote device key'),
    await dh(p, self.keys.dh.secretKey, baseKey, 'base key'),
    await dh(p, signed.secretKey, baseKey, 'base key'),
  ];
  if (oneTime !== undefined) dhOutputs.push(await dh(p, oneTime.secretKey, baseKey, 'base key'));
  const kemSecret = await p.mlkem768Decapsulate(handshake.kemCiphertext, kem.secretKey);
  const transcript = await transcriptHash(p, {
    initiator: remote,
    responder: local,
    signedPrekey: signed.public.publicKey,
    kemPrekey: kem.public.publicKey,
    oneTimePrekey: oneTime?.public.publicKey,
    handshakePrefix: message.authenticated.subarray(0, message.authenticated.length - HEADER_SIZE),
  });
  const sharedSecret = await deriveSharedSecret(p, dhOutputs, kemSecret, transcript);

  // Double Ratchet §3.3 RatchetInitBob: RK = SK, DHs = the signed prekey pair; the first message's DH
  // ratchet step then creates both chains.
  const inherit = session !== undefined && sameParty(session.remote, remote);
  const initial = createState({
    role: 'responder',
    local,
    remote,
    rootKey: sharedSecret,
    sendingRatchetKey: redacted({ publicKey: signed.public.publicKey, secretKey: signed.secretKey }),
    sendingChain: undefined,
    previousSendingLength: 0,
    remoteRatchetKey: undefined,
    receivingChain: undefined,
    skipped: [],
    retiredRemoteRatchetKeys: [],
    baseKey,
    pendingHandshake: undefined,
    retiredBaseKeys: inherit
      ? pushBounded(session.retiredBaseKeys, session.baseKey, SESSION_LIMITS.maxRetiredHandshakes)
      : [],
  });
  let decrypted: DecryptResult;
  try {
    decrypted = await ratchetDecrypt(p, initial, message);
  } finally {
    sharedSecret.fill(0); // SK lives on only through the root key the first step derived from it
  }
  const { state, plaintext } = decrypted;
  return {
    state,
    plaintext,
    remote,
    newSession: true,
    usedOneTimePrekeyId: oneTime?.public.id,
    usedKemPrekeyId: kem.public.id,
    usedKemPrekeyLastResort: kem.public.lastResort,
    usedSignedPrekeyId: signed.public.id,
  };
}
