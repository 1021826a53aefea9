/**
 * The bounds of a 1:1 session (DESIGN §4). Every loop and every stored list in session/ is bounded by one of
 * these, so a hostile peer or server cannot make a device spend unbounded time or memory.
 */

/** Limits of a session; changing one is a protocol decision (docs/crypto.md "Sessions"). */
export const SESSION_LIMITS = {
  /** Double Ratchet §3.5 MAX_SKIP for the store: at most this many skipped keys are kept (oldest evicted). */
  maxSkippedKeys: 2000,
  /** Most keys one incoming message may skip (old chain + new chain); more is TOO_MANY_SKIPPED. */
  maxForwardJump: 1000,
  /** Earlier remote ratchet keys remembered, so a replay from a closed chain is a DUPLICATE_MESSAGE. */
  maxRetiredRatchetKeys: 64,
  /** Earlier handshakes (base keys) remembered per device: a replayed first message is a duplicate. */
  maxRetiredHandshakes: 32,
  /** Largest padded plaintext (1 MiB); the plaintext itself can be one byte shorter. */
  maxPaddedSize: 1 << 20,
  /** Largest encoded device certificate carried in a prekey message. */
  maxCertificateBytes: 1024,
} as const;
