/**
 * The KDFs of the Double Ratchet (spec §3.1 external functions, §5.2 recommended algorithms), each with
 * its own label from {@link LABELS}:
 * - KDF_RK: HKDF-SHA-256 (RFC 5869) with the root key as salt and the DH output as input key material;
 * - KDF_CK: HMAC-SHA-256 of the chain key with two distinct constants (message key / next chain key);
 * - message key expansion: HKDF-Expand into an AES-256-GCM key and a 12-byte nonce. Each message key is
 *   used for exactly one message, so a nonce derived from it never repeats under its key.
 */

import { concatBytes, utf8 } from '../bytes.js';
import { LABELS } from '../labels.js';
import type { CryptoProvider } from '../provider.js';
import { SIZES } from '../provider.js';

const ROOT_INFO = utf8(LABELS.sessionRootRatchet);
const CHAIN_MESSAGE = utf8(LABELS.sessionChainMessageKey);
const CHAIN_NEXT = utf8(LABELS.sessionChainNextKey);
const MESSAGE_INFO = utf8(LABELS.sessionMessageKeys);

/** Output of KDF_RK. */
export interface RootStep {
  readonly rootKey: Uint8Array;
  readonly chainKey: Uint8Array;
}

/** Output of KDF_CK. */
export interface ChainStep {
  readonly chainKey: Uint8Array;
  readonly messageKey: Uint8Array;
}

/** AEAD parameters derived from one message key. */
export interface MessageKeys {
  readonly key: Uint8Array;
  readonly nonce: Uint8Array;
}

/** Double Ratchet §3.1 / §5.2 KDF_RK(rk, dh_out) → (rk', ck). */
export async function kdfRoot(
  p: CryptoProvider,
  rootKey: Uint8Array,
  dhOutput: Uint8Array,
): Promise<RootStep> {
  const okm = await p.hkdfSha256(dhOutput, rootKey, ROOT_INFO, 64);
  return { rootKey: okm.slice(0, 32), chainKey: okm.slice(32, 64) };
}

/** Double Ratchet §3.1 / §5.2 KDF_CK(ck) → (ck', mk), with distinct HMAC inputs for each output. */
export async function kdfChain(p: CryptoProvider, chainKey: Uint8Array): Promise<ChainStep> {
  const messageKey = await p.hmacSha256(chainKey, CHAIN_MESSAGE);
  const next = await p.hmacSha256(chainKey, CHAIN_NEXT);
  return { chainKey: next, messageKey };
}

const INFO_1 = concatBytes(MESSAGE_INFO, Uint8Array.of(1));
const INFO_2_LENGTH = 32 + MESSAGE_INFO.length + 1;

/**
 * Double Ratchet §5.2 ENCRYPT's key schedule: HKDF-SHA-256-Expand(PRK = mk, info = label, L = 44) → the
 * AES-256-GCM key (T(1)) and nonce (first 12 bytes of T(2)). The extract step is skipped as RFC 5869 §3.3
 * allows when the input is already a uniformly random key: mk is an HMAC-SHA-256 output. Written out over
 * HMAC (two calls) because it runs twice per message and a backend's generic HKDF entry point costs several
 * times more (bench/crypto.bench.ts). A test pins it to an independent RFC 5869 expand.
 */
export async function expandMessageKey(p: CryptoProvider, messageKey: Uint8Array): Promise<MessageKeys> {
  const t1 = await p.hmacSha256(messageKey, INFO_1); // RFC 5869 §2.3 T(1) = HMAC(PRK, info || 0x01)
  const input2 = new Uint8Array(INFO_2_LENGTH); // T(2) = HMAC(PRK, T(1) || info || 0x02)
  input2.set(t1);
  input2.set(MESSAGE_INFO, 32);
  input2[INFO_2_LENGTH - 1] = 2;
  const t2 = await p.hmacSha256(messageKey, input2);
  input2.fill(0);
  return { key: t1, nonce: t2.subarray(0, SIZES.aesNonce) };
}
