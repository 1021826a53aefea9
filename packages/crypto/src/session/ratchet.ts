/**
 * The Double Ratchet (Perrin & Marlinspike, rev. 1, 2016) as pure functions over {@link SessionState}:
 * RatchetEncrypt (§3.4) and RatchetDecrypt with skipped keys and the DH ratchet step (§3.5).
 *
 * Decryption computes the whole next state on the side and returns it only after the AEAD has verified;
 * any failure throws and the caller keeps its old state (the spec's "state is discarded on error").
 * Header fields are authenticated together with the directional session AD (§3.4: ENCRYPT(mk, plaintext,
 * CONCAT(AD, header))).
 */

import { equalBytes } from '../bytes.js';
import { SottoError } from '../errors.js';
import type { CryptoProvider } from '../provider.js';
import { addSkipped, findSkipped, keyFor, pushBounded, removeSkipped, skipTo } from './chain.js';
import { expandMessageKey, kdfChain, kdfRoot, type RootStep } from './kdf.js';
import { SESSION_LIMITS } from './limits.js';
import { padPlaintext, unpadPlaintext } from './padding.js';
import { redacted } from './redact.js';
import { chainState, type SessionState, type SkippedKey, updateState } from './state.js';
import { HEADER_SIZE, MESSAGE_PREFIX, type WireMessage, writeHeader } from './wire.js';
import { dh } from './x25519.js';

/** Result of an encryption: the new state to keep and the ciphertext to send. */
export interface EncryptResult {
  readonly state: SessionState;
  readonly ciphertext: Uint8Array;
}

/** Result of a decryption: the new state to keep and the plaintext. */
export interface DecryptResult {
  readonly state: SessionState;
  readonly plaintext: Uint8Array;
}

const MAX_U32 = 0xffffffff;

/** Double Ratchet §3.4 RatchetEncrypt. The prekey prefix rides along until the first reply arrives. */
export async function ratchetEncrypt(
  p: CryptoProvider,
  state: SessionState,
  plaintext: Uint8Array,
): Promise<EncryptResult> {
  const chain = state.sendingChain;
  if (chain === undefined) throw new SottoError('INVALID_ARGUMENT', 'session: no sending chain');
  if (chain.counter >= MAX_U32) throw new SottoError('INVALID_ARGUMENT', 'session: sending chain exhausted');
  const padded = padPlaintext(plaintext);
  const step = await kdfChain(p, chain.chainKey);
  const keys = await expandMessageKey(p, step.messageKey);
  step.messageKey.fill(0);

  // One buffer holds session AD || prefix || header; its tail is also the wire prefix.
  const prefix = state.pendingHandshake ?? MESSAGE_PREFIX;
  const adLength = state.sendAd.length;
  const wireHeaderLength = prefix.length + HEADER_SIZE;
  const aad = new Uint8Array(adLength + wireHeaderLength);
  aad.set(state.sendAd);
  aad.set(prefix, adLength);
  writeHeader(aad, adLength + prefix.length, {
    ratchetKey: state.sendingRatchetKey.publicKey,
    previousChainLength: state.previousSendingLength,
    counter: chain.counter,
  });
  const sealed = await p.aes256GcmSeal(keys.key, keys.nonce, padded, aad);
  keys.key.fill(0);
  const ciphertext = new Uint8Array(wireHeaderLength + sealed.length);
  ciphertext.set(aad.subarray(adLength));
  ciphertext.set(sealed, wireHeaderLength);

  return {
    state: updateState(state, { sendingChain: chainState(step.chainKey, chain.counter + 1) }),
    ciphertext,
  };
}

async function open(
  p: CryptoProvider,
  state: SessionState,
  message: WireMessage,
  messageKey: Uint8Array,
): Promise<Uint8Array> {
  const keys = await expandMessageKey(p, messageKey);
  const aad = new Uint8Array(state.receiveAd.length + message.authenticated.length);
  aad.set(state.receiveAd);
  aad.set(message.authenticated, state.receiveAd.length);
  try {
    return unpadPlaintext(await p.aes256GcmOpen(keys.key, keys.nonce, message.sealed, aad));
  } finally {
    keys.key.fill(0); // the expanded key is ours alone; `messageKey` may be shared with the caller's state
  }
}

function tooMany(): SottoError {
  return new SottoError('TOO_MANY_SKIPPED');
}

/**
 * Double Ratchet §3.5 RatchetDecrypt. Throws AUTH_FAILED (tampered, forged, reflected), DUPLICATE_MESSAGE
 * (a message already decrypted, or whose key is gone), TOO_MANY_SKIPPED (counter jump past the limit),
 * INVALID_PUBLIC_KEY (malformed or low-order ratchet key) or MALFORMED_ENCODING (bad padding); `state`
 * is never changed.
 */
export async function ratchetDecrypt(
  p: CryptoProvider,
  state: SessionState,
  message: WireMessage,
): Promise<DecryptResult> {
  const { header } = message;
  const current = state.remoteRatchetKey;

  // The current receiving chain.
  if (current !== undefined && equalBytes(header.ratchetKey, current)) {
    const chain = state.receivingChain;
    if (chain === undefined) throw new SottoError('AUTH_FAILED', 'session: no receiving chain for this key');
    if (header.counter < chain.counter) return fromSkipped(p, state, message);
    if (header.counter - chain.counter > SESSION_LIMITS.maxForwardJump) throw tooMany();
    const walk = await keyFor(p, chain, current, header.counter);
    const plaintext = await open(p, state, message, walk.messageKey);
    return {
      state: updateState(state, {
        receivingChain: walk.chain,
        skipped: addSkipped(state.skipped, walk.skipped),
        pendingHandshake: undefined,
      }),
      plaintext,
    };
  }

  // A late message of an earlier chain, or a replay of one.
  if (findSkipped(state.skipped, header.ratchetKey, header.counter) >= 0)
    return fromSkipped(p, state, message);
  if (state.retiredRemoteRatchetKeys.some((k) => equalBytes(k, header.ratchetKey))) {
    throw new SottoError('DUPLICATE_MESSAGE');
  }
  // Our own ratchet key coming back is a reflection; it would fail the AEAD anyway, fail it early.
  if (equalBytes(header.ratchetKey, state.sendingRatchetKey.publicKey)) {
    throw new SottoError('AUTH_FAILED', 'session: reflected message');
  }
  return dhRatchetStep(p, state, message);
}

async function fromSkipped(
  p: CryptoProvider,
  state: SessionState,
  message: WireMessage,
): Promise<DecryptResult> {
  const index = findSkipped(state.skipped, message.header.ratchetKey, message.header.counter);
  const entry = state.skipped[index];
  if (entry === undefined) throw new SottoError('DUPLICATE_MESSAGE');
  const plaintext = await open(p, state, message, entry.messageKey);
  return {
    state: updateState(state, { skipped: removeSkipped(state.skipped, index), pendingHandshake: undefined }),
    plaintext,
  };
}

/** KDF_RK(rk, DH(secretKey, remote ratchet key)), wiping the DH output. */
async function rootStep(
  p: CryptoProvider,
  rootKey: Uint8Array,
  secretKey: Uint8Array,
  ratchetKey: Uint8Array,
): Promise<RootStep> {
  const shared = await dh(p, secretKey, ratchetKey, 'ratchet key');
  try {
    return await kdfRoot(p, rootKey, shared);
  } finally {
    shared.fill(0);
  }
}

/** Double Ratchet §3.5 DHRatchet, with the sending half done only after the message authenticated. */
async function dhRatchetStep(
  p: CryptoProvider,
  state: SessionState,
  message: WireMessage,
): Promise<DecryptResult> {
  const { header } = message;
  const oldChain = state.receivingChain;
  const oldKey = state.remoteRatchetKey;
  // Keys to skip on the old chain (up to PN) plus on the new one (up to N): bounded together.
  const oldSkip = oldChain !== undefined ? Math.max(0, header.previousChainLength - oldChain.counter) : 0;
  if (oldSkip + header.counter > SESSION_LIMITS.maxForwardJump) {
    throw tooMany();
  }

  let skipped: readonly SkippedKey[] = [];
  if (oldChain !== undefined && oldKey !== undefined && oldSkip > 0) {
    skipped = (await skipTo(p, oldChain, oldKey, header.previousChainLength)).skipped;
  }
  const received = await rootStep(p, state.rootKey, state.sendingRatchetKey.secretKey, header.ratchetKey);
  const walk = await keyFor(p, chainState(received.chainKey, 0), header.ratchetKey, header.counter);
  const plaintext = await open(p, state, message, walk.messageKey);

  // Authenticated: complete the step with a fresh ratchet key of ours.
  const nextRatchetKey = redacted(await p.x25519Generate());
  const sending = await rootStep(p, received.rootKey, nextRatchetKey.secretKey, header.ratchetKey);
  return {
    state: updateState(state, {
      rootKey: sending.rootKey,
      sendingRatchetKey: nextRatchetKey,
      sendingChain: chainState(sending.chainKey, 0),
      previousSendingLength: state.sendingChain?.counter ?? 0,
      remoteRatchetKey: header.ratchetKey,
      receivingChain: walk.chain,
      skipped: addSkipped(state.skipped, skipped.concat(walk.skipped)),
      retiredRemoteRatchetKeys:
        oldKey === undefined
          ? state.retiredRemoteRatchetKeys
          : pushBounded(state.retiredRemoteRatchetKeys, oldKey, SESSION_LIMITS.maxRetiredRatchetKeys),
      pendingHandshake: undefined,
    }),
    plaintext,
  };
}
