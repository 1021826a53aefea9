/**
 * The initiator's half of PQXDH (rev. 2 §3.3) followed by Double Ratchet initialization (§3.3 "Alice").
 */

import { SottoError } from '../errors.js';
import { type PrekeyBundle, verifyPrekeyBundle } from '../keys/bundle.js';
import { encodeDeviceCertificate } from '../keys/certificate.js';
import type { CryptoProvider } from '../provider.js';
import { SIZES } from '../provider.js';
import { kdfRoot } from './kdf.js';
import { type LocalDevice, localParty, partyOf, sameDevice } from './local.js';
import type { Party } from './party.js';
import { deriveSharedSecret, transcriptHash } from './pqxdh.js';
import { redacted } from './redact.js';
import { chainState, createState, type SessionState } from './state.js';
import { encodeHandshakePrefix } from './wire.js';
import { checkX25519PublicKey, dh } from './x25519.js';

/** What {@link initiateSession} needs. */
export interface InitiateOptions {
  /** This device. */
  readonly self: LocalDevice;
  /** The remote device's bundle, as served by the directory. */
  readonly bundle: PrekeyBundle;
  /** The account identity key the caller trusts for the remote account (TOFU or verified). */
  readonly remoteIdentityKey: Uint8Array;
}

/** A new session, ready to encrypt. */
export interface InitiateResult {
  readonly state: SessionState;
  /** The remote device the session talks to. */
  readonly remote: Party;
  /** The one-time X25519 prekey consumed, if the bundle had one. */
  readonly usedOneTimePrekeyId: number | undefined;
  /** The KEM prekey encapsulated to. */
  readonly usedKemPrekeyId: number;
}

/** Shape checks that need no secret: a key of the wrong type is refused before anything is verified. */
function checkBundleShape(bundle: PrekeyBundle): void {
  if (bundle.kemPrekey.publicKey.length !== SIZES.mlkem768PublicKey) {
    throw new SottoError('WRONG_KEY_TYPE', 'bundle: the KEM prekey is not an ML-KEM-768 key');
  }
  if (bundle.signedPrekey.publicKey.length !== SIZES.x25519PublicKey) {
    throw new SottoError('WRONG_KEY_TYPE', 'bundle: the signed prekey is not an X25519 key');
  }
  const oneTime = bundle.oneTimePrekey;
  if (oneTime !== undefined && oneTime.publicKey.length !== SIZES.x25519PublicKey) {
    throw new SottoError('WRONG_KEY_TYPE', 'bundle: the one-time prekey is not an X25519 key');
  }
}

/**
 * Starts a session with the device whose bundle is given (PQXDH §3.3). The bundle is verified first
 * (certificate by `remoteIdentityKey`, both prekey signatures by the certified device key); then every
 * X25519 key is checked and ML-KEM encapsulates to the signed KEM prekey. Until the first reply arrives,
 * every ciphertext from the returned state is a prekey message.
 *
 * Throws UNTRUSTED_IDENTITY, INVALID_SIGNATURE, WRONG_KEY_TYPE, INVALID_PUBLIC_KEY (malformed or low-order
 * X25519 key, malformed ML-KEM key) or INVALID_ARGUMENT (a session with this very device, or a local
 * certificate that does not match the local keys).
 */
export async function initiateSession(p: CryptoProvider, options: InitiateOptions): Promise<InitiateResult> {
  const { self, bundle, remoteIdentityKey } = options;
  checkBundleShape(bundle);
  await verifyPrekeyBundle(p, bundle, remoteIdentityKey);

  const local = localParty(self);
  const remote = partyOf(bundle.deviceCertificate);
  if (sameDevice(local, remote))
    throw new SottoError('INVALID_ARGUMENT', 'session: cannot open a session with itself');
  const signedPrekey = checkX25519PublicKey(bundle.signedPrekey.publicKey, 'signed prekey');
  const oneTimePrekey = bundle.oneTimePrekey;

  const ephemeral = await p.x25519Generate();
  const dhOutputs = [
    await dh(p, self.keys.dh.secretKey, signedPrekey, 'signed prekey'),
    await dh(p, ephemeral.secretKey, remote.dhKey, 'remote device key'),
    await dh(p, ephemeral.secretKey, signedPrekey, 'signed prekey'),
  ];
  if (oneTimePrekey !== undefined) {
    dhOutputs.push(await dh(p, ephemeral.secretKey, oneTimePrekey.publicKey, 'one-time prekey'));
  }
  const kem = await p.mlkem768Encapsulate(bundle.kemPrekey.publicKey);

  const handshakePrefix = encodeHandshakePrefix({
    initiatorCertificate: encodeDeviceCertificate(self.certificate),
    signedPrekeyId: bundle.signedPrekey.id,
    kemPrekeyId: bundle.kemPrekey.id,
    oneTimePrekeyId: oneTimePrekey?.id,
    baseKey: ephemeral.publicKey,
    kemCiphertext: kem.ciphertext,
  });
  const transcript = await transcriptHash(p, {
    initiator: local,
    responder: remote,
    signedPrekey,
    kemPrekey: bundle.kemPrekey.publicKey,
    oneTimePrekey: oneTimePrekey?.publicKey,
    handshakePrefix,
  });
  const sharedSecret = await deriveSharedSecret(p, dhOutputs, kem.sharedSecret, transcript);

  // Double Ratchet §3.3 RatchetInitAlice: DHr = SPK_B, and a first sending chain from a fresh ratchet key.
  const ratchetKey = redacted(await p.x25519Generate());
  const root = await kdfRoot(
    p,
    sharedSecret,
    await dh(p, ratchetKey.secretKey, signedPrekey, 'signed prekey'),
  );
  sharedSecret.fill(0);
  ephemeral.secretKey.fill(0);

  const state = createState({
    role: 'initiator',
    local,
    remote,
    rootKey: root.rootKey,
    sendingRatchetKey: ratchetKey,
    sendingChain: chainState(root.chainKey, 0),
    previousSendingLength: 0,
    remoteRatchetKey: signedPrekey,
    receivingChain: undefined,
    skipped: [],
    retiredRemoteRatchetKeys: [],
    baseKey: ephemeral.publicKey,
    pendingHandshake: handshakePrefix,
    retiredBaseKeys: [],
  });
  return { state, remote, usedOneTimePrekeyId: oneTimePrekey?.id, usedKemPrekeyId: bundle.kemPrekey.id };
}
