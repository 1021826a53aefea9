/**
 * One party's half of a safety number, after Signal's numeric fingerprint scheme: an iterated SHA-512
 * over the identity key and a stable identifier (here the account name), read out as 30 decimal digits.
 *
 * Input (our own, labelled and versioned so it can never collide with another hash in Sotto):
 *   h₀ = string(LABELS.safetyFingerprint) || encodePublicKey(identity, key) || string(accountName)
 *   hᵢ = SHA-512(hᵢ₋₁ || encodePublicKey(identity, key))      for i = 1 … 5,200
 * `string(x)` is a u16 big-endian length then the UTF-8 bytes. The 5,200 rounds follow Signal: they make a
 * brute-force search for a key whose number collides with a victim's costlier, not impossible; the 30 digits
 * (about 100 bits per half) carry the security.
 */

import { ByteWriter } from '../binary.js';
import { abytes, concatBytes } from '../bytes.js';
import { checkAccountName } from '../keys/encoding.js';
import { encodePublicKey, KeyType } from '../keys/key-types.js';
import { LABELS } from '../labels.js';
import type { CryptoProvider } from '../provider.js';
import { SIZES } from '../provider.js';

/** SHA-512 iterations per party (Signal's `NumericFingerprintGenerator` uses 5,200). */
export const SAFETY_ITERATIONS = 5200;

/** Bytes of each party's fingerprint carried in the QR payload. */
export const FINGERPRINT_BYTES = 32;

/** One party to a conversation: the account name and its identity public key (raw Ed25519, 32 bytes). */
export interface SafetyParty {
  readonly name: string;
  readonly identityKey: Uint8Array;
}

/** A party's fingerprint: the iterated hash (first 32 bytes) and its 30 digits. */
export interface PartyFingerprint {
  readonly hash: Uint8Array;
  readonly digits: string;
}

/** Five bytes as a 40-bit big-endian integer, mod 100,000, zero-padded to five digits (Signal's chunking). */
function chunkDigits(hash: Uint8Array, offset: number): string {
  let value = 0;
  // 40 bits fit exactly in a double (< 2^53), so plain arithmetic is exact.
  for (let i = 0; i < 5; i++) value = value * 256 + (hash[offset + i] as number);
  return String(value % 100000).padStart(5, '0');
}

/**
 * Computes one party's fingerprint. Throws INVALID_ARGUMENT on an empty or over-long name or a key that is
 * not 32 bytes.
 */
export async function partyFingerprint(p: CryptoProvider, party: SafetyParty): Promise<PartyFingerprint> {
  const name = checkAccountName(party.name);
  abytes(party.identityKey, SIZES.ed25519PublicKey, 'identity key');
  const key = encodePublicKey(KeyType.identity, party.identityKey);
  let hash = new ByteWriter(64 + key.length + 2 + name.length * 3)
    .string(LABELS.safetyFingerprint)
    .raw(key)
    .string(name)
    .finish();
  for (let i = 0; i < SAFETY_ITERATIONS; i++) hash = await p.sha512(concatBytes(hash, key));
  let digits = '';
  for (let offset = 0; offset < 30; offset += 5) digits += chunkDigits(hash, offset);
  return { hash: hash.slice(0, FINGERPRINT_BYTES), digits };
}
