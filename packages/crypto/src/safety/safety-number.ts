/**
 * Safety numbers and their QR codes (DESIGN §3 "verified identities"). Two people compare the same
 * 60 digits (or scan each other's QR code); if a server substituted either identity key, they differ.
 *
 * The two 30-digit halves are put in canonical order (ascending by digits, then by hash bytes), so both
 * parties compute the identical number; this is Signal's sorted display, applied to the QR payload too.
 * QR payload: `[PROTOCOL_VERSION u8][0x51][first fingerprint 32 bytes][second fingerprint 32 bytes]`.
 */

import { equalBytes } from '../bytes.js';
import { PROTOCOL_VERSION } from '../labels.js';
import type { CryptoProvider } from '../provider.js';
import {
  FINGERPRINT_BYTES,
  type PartyFingerprint,
  partyFingerprint,
  type SafetyParty,
} from './fingerprint.js';

/** The tag after the version byte of a safety-number QR payload. */
export const SAFETY_QR_TAG = 0x51;

/** Length of a QR payload. */
export const SAFETY_QR_BYTES = 2 + 2 * FINGERPRINT_BYTES;

/** A safety number: 60 digits, the same 12 groups of 5 for display, and the QR payload. */
export interface SafetyNumber {
  /** 60 decimal digits. */
  readonly digits: string;
  /** `digits` in 12 groups of 5. */
  readonly groups: string[];
  /** What the QR code encodes ({@link SAFETY_QR_BYTES} bytes). */
  readonly qrPayload: Uint8Array;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function canonical(a: PartyFingerprint, b: PartyFingerprint): [PartyFingerprint, PartyFingerprint] {
  if (a.digits !== b.digits) return a.digits < b.digits ? [a, b] : [b, a];
  return compareBytes(a.hash, b.hash) <= 0 ? [a, b] : [b, a];
}

async function compute(p: CryptoProvider, local: SafetyParty, remote: SafetyParty): Promise<SafetyNumber> {
  const [first, second] = canonical(await partyFingerprint(p, local), await partyFingerprint(p, remote));
  const digits = first.digits + second.digits;
  const groups: string[] = [];
  for (let i = 0; i < digits.length; i += 5) groups.push(digits.slice(i, i + 5));
  const qrPayload = new Uint8Array(SAFETY_QR_BYTES);
  qrPayload[0] = PROTOCOL_VERSION;
  qrPayload[1] = SAFETY_QR_TAG;
  qrPayload.set(first.hash, 2);
  qrPayload.set(second.hash, 2 + FINGERPRINT_BYTES);
  return { digits, groups, qrPayload };
}

/**
 * The safety number of a conversation between `local` and `remote`. Symmetric: swapping the parties gives
 * the same result. Changes when either identity key or name changes. Throws INVALID_ARGUMENT on a bad party.
 */
export async function safetyNumber(
  p: CryptoProvider,
  local: SafetyParty,
  remote: SafetyParty,
): Promise<SafetyNumber> {
  return compute(p, local, remote);
}

/**
 * True when a scanned QR payload matches the safety number of `local` and `remote`. A payload of another
 * version, length or content is false, never an exception; a bad `local`/`remote` throws INVALID_ARGUMENT
 * (a caller bug, not hostile input).
 */
export async function verifySafetyQr(
  p: CryptoProvider,
  scannedPayload: Uint8Array,
  local: SafetyParty,
  remote: SafetyParty,
): Promise<boolean> {
  const expected = (await compute(p, local, remote)).qrPayload;
  // Shape checks come after the computation so a bad `local`/`remote` always throws; nothing here is secret.
  if (!(scannedPayload instanceof Uint8Array) || scannedPayload.length !== SAFETY_QR_BYTES) return false;
  return equalBytes(scannedPayload, expected);
}
