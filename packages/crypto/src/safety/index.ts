/**
 * safety/: safety numbers and QR payloads over account identity keys. See docs/crypto.md "Safety numbers".
 */

export {
  FINGERPRINT_BYTES,
  type PartyFingerprint,
  partyFingerprint,
  SAFETY_ITERATIONS,
  type SafetyParty,
} from './fingerprint.js';
export {
  SAFETY_QR_BYTES,
  SAFETY_QR_TAG,
  type SafetyNumber,
  safetyNumber,
  verifySafetyQr,
} from './safety-number.js';
