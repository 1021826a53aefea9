/**
 * Every domain-separation label Sotto uses, in one place so a reviewer can see that no two KDFs,
 * signatures or AEADs share one. Each label names the protocol version. Add new labels here; a test
 * checks they are unique.
 */

/** The end-to-end protocol version. It is bound into every KDF info, signature context and AD. */
export const PROTOCOL_VERSION = 1;

/** One-byte tags that open every Sotto ciphertext, so one kind can never be parsed as another. */
export const CIPHERTEXT_KIND = {
  /** A 1:1 message that carries a PQXDH initial handshake. */
  prekeyMessage: 0x01,
  /** A 1:1 Double Ratchet message. */
  message: 0x02,
  /** An encrypted identity-key backup. */
  backup: 0x10,
  /** A group message (reserved for MLS / sender keys). */
  group: 0x20,
} as const;

/** Domain-separation strings. Keys are the purpose; values are what goes into the KDF, signature or AD. */
export const LABELS = {
  // keys/ — signature contexts (added by the keys module)
  // session/ — PQXDH and Double Ratchet KDFs and AD (added by the session module)
  // safety/ — safety numbers (added by the safety module)
  // backup/ — backup wrapping (added by the backup module)
} as const satisfies Record<string, string>;
