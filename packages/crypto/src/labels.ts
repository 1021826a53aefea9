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
  /** An encrypted file (the STREAM format of `files/`). */
  file: 0x30,
} as const;

/** Domain-separation strings. Keys are the purpose; values are what goes into the KDF, signature or AD. */
export const LABELS = {
  // keys/ — signature contexts (added by the keys module). Each signed message starts with one of these,
  // so a signature made for one structure can never verify as another (see docs/crypto.md "Keys").
  /** Identity key signs a device certificate. */
  keysDeviceCertificate: 'sotto/v1/keys/device-certificate',
  /** Identity key signs the account's device list. */
  keysDeviceList: 'sotto/v1/keys/device-list',
  /** Device signing key signs its X25519 signed prekey. */
  keysSignedPrekey: 'sotto/v1/keys/signed-prekey',
  /** Device signing key signs an ML-KEM-768 prekey (one-time or last-resort). */
  keysKemPrekey: 'sotto/v1/keys/kem-prekey',
  // session/ — PQXDH and Double Ratchet KDFs and AD (added by the session module)
  /** PQXDH §3.3: HKDF info deriving the shared secret SK from F || DH1..DH4 || SS (plus the transcript hash). */
  sessionPqxdh: 'sotto/v1/session/pqxdh',
  /** Hash of the handshake transcript (both parties, prekeys used, ephemeral key, KEM ciphertext). */
  sessionTranscript: 'sotto/v1/session/transcript',
  /** Double Ratchet §3.2 KDF_RK: HKDF info of the root-key step. */
  sessionRootRatchet: 'sotto/v1/session/root-ratchet',
  /** Double Ratchet §3.2 KDF_CK: HMAC input deriving a message key from a chain key. */
  sessionChainMessageKey: 'sotto/v1/session/chain/message-key',
  /** Double Ratchet §3.2 KDF_CK: HMAC input deriving the next chain key. */
  sessionChainNextKey: 'sotto/v1/session/chain/next-key',
  /** Double Ratchet §5.2: HKDF info expanding a message key into an AES-256-GCM key and nonce. */
  sessionMessageKeys: 'sotto/v1/session/message-keys',
  /** Associated data of messages sent by the initiator (direction binding against reflection). */
  sessionAdInitiatorToResponder: 'sotto/v1/session/ad/initiator-to-responder',
  /** Associated data of messages sent by the responder. */
  sessionAdResponderToInitiator: 'sotto/v1/session/ad/responder-to-initiator',
  // safety/ — safety numbers (added by the safety module): the first block hashed per party, before the
  // 5,200 SHA-512 iterations (see docs/crypto.md "Safety numbers").
  /** Per-party fingerprint input: identity key and account name. */
  safetyFingerprint: 'sotto/v1/safety/fingerprint',
  // backup/ — backup wrapping (added by the backup module); see docs/crypto.md "Backups".
  /** HKDF info deriving the AEAD key from a raw 32-byte key (the OPAQUE export key). */
  backupKeyRaw: 'sotto/v1/backup/key/raw',
  /** HKDF info deriving the AEAD key from the Argon2id output of a passphrase. */
  backupKeyPassphrase: 'sotto/v1/backup/key/passphrase',
  /** AES-256-GCM associated data: binds the whole header and the account name. */
  backupAad: 'sotto/v1/backup/aad',
  // files/ — encrypted files (added by the files module); see docs/crypto.md "Files".
  /** HKDF info deriving a file's AES-256-GCM key and STREAM nonce prefix from its file key. */
  filesStreamKeys: 'sotto/v1/files/stream-keys',
  /** HKDF info deriving the key commitment stored in a file's header. */
  filesKeyCommitment: 'sotto/v1/files/key-commitment',
  /** Prefix of every chunk's associated data (followed by the file header). */
  filesChunkAad: 'sotto/v1/files/chunk',
  // wire/ — connection authentication (used by @sotto/protocol and the server)
  /** The device signs this label, the server's challenge nonce, account, device id and server origin. */
  wireAuthChallenge: 'sotto/v1/wire/auth-challenge',
  // client/ — the SDK's own derivations (used by @sotto/client)
  /** HKDF info turning the OPAQUE export key into the identity-backup key. */
  clientBackupExportKey: 'sotto/v1/client/backup-export-key',
  /** Prefix of the associated data of every record encrypted at rest (followed by table and key). */
  clientStoreRecord: 'sotto/v1/client/store',
  /** Associated data of the storage key wrapped under the profile password. */
  clientStoreKeyCheck: 'sotto/v1/client/store-key-check',
} as const satisfies Record<string, string>;
