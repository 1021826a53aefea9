/**
 * The one error type of Sotto and the registry of its stable codes.
 *
 * Every package throws `SottoError`; the wire error frame carries the same `code`. The registry lives in
 * the lowest layer so every package can use it without importing upward (see
 * docs/decisions/0001-error-registry-in-crypto.md). Messages are human sentences that never contain
 * keys, plaintext, passwords or tokens.
 */

/** Every stable error code with the sentence that documents it. Adding a code means documenting it here. */
export const ERROR_CODES = {
  // Input shape
  INVALID_ARGUMENT: 'An argument has the wrong type, length or range.',
  MALFORMED_ENCODING: 'Bytes could not be decoded: truncated, trailing data, or a field out of range.',
  UNSUPPORTED_VERSION: 'The encoding or protocol version is not supported.',
  WRONG_KEY_TYPE: 'A key of another type was given where this type is required.',
  // Primitives
  CRYPTO_UNAVAILABLE: 'The requested primitive is not available on this runtime.',
  AUTH_FAILED: 'Authenticated decryption failed: wrong key, or the data was tampered with.',
  INVALID_PUBLIC_KEY: 'A public key is malformed or of low order.',
  INVALID_SIGNATURE: 'A signature did not verify.',
  ZERO_SHARED_SECRET: 'An X25519 exchange produced the all-zero shared secret (a low-order public key).',
  // Sessions
  DUPLICATE_MESSAGE: 'This message was already decrypted (a replay).',
  TOO_MANY_SKIPPED: 'The message counter jumps past the limit of skipped messages.',
  WRONG_MESSAGE_KIND: 'A ciphertext of another kind was given where this kind is required.',
  SESSION_NOT_FOUND: 'There is no session for this message.',
  UNTRUSTED_IDENTITY: 'The identity key does not match the one recorded for this party.',
  // Backups
  BACKUP_WRONG_KEY: 'The backup could not be opened: wrong key or password, or it was tampered with.',
  // Wire / server (added by @sotto/protocol; see docs/protocol.md "Error codes")
  BAD_FRAME:
    'A frame or body is not valid CBOR of the expected shape (strict encoding, known fields, bounds).',
  FRAME_TOO_LARGE: 'A frame or body is larger than the configured limit; it was rejected before parsing.',
  UNKNOWN_FRAME_TYPE: 'A frame has a type `t` that this protocol version does not define.',
  INVALID_ACCOUNT_NAME: 'An account name is not 3 to 32 characters of a-z, 0-9, ".", "_" or "-".',
  UNAUTHENTICATED: 'This request needs an authenticated connection or a valid login ticket.',
  AUTH_CHALLENGE_FAILED: 'The signed connection challenge did not verify for this account and device.',
  AUTH_ORIGIN_MISMATCH:
    'The connection challenge was signed for an origin this server does not accept (behind a proxy, the ' +
    'server needs --public-origin).',
  RATE_LIMITED: 'Too many requests; wait and retry later.',
  ACCOUNT_EXISTS: 'An account with this name already exists.',
  ACCOUNT_NOT_FOUND: 'There is no account with this name.',
  LOGIN_FAILED: 'The login did not succeed: wrong name or password, or the login attempt expired.',
  REGISTRATION_CLOSED: 'This server does not accept new accounts.',
  INVITE_INVALID:
    'This server accepts new accounts only with an invite from its operator: none was given, or it is ' +
    'unknown, expired, revoked or used up.',
  ACCOUNT_DISABLED: "The server's operator disabled this account: it cannot log in or connect.",
  DEVICE_NOT_FOUND: 'There is no such device on this account.',
  DEVICE_LIST_REJECTED:
    'The device list or device certificate is not validly signed, or is older than the current one.',
  PREKEY_SIGNATURE_INVALID: 'An uploaded prekey is malformed or not signed by the device key.',
  NO_PREKEYS: 'A device of the account has no prekey left to start a session with.',
  DEVICE_MISMATCH: 'The messages do not address exactly the current devices; the frame lists the difference.',
  NOT_A_CONTACT: 'This needs an accepted contact relationship with the account.',
  BLOCKED: 'The recipient does not accept requests or messages from this account.',
  MAILBOX_FULL: 'The recipient device has too many undelivered messages; retry later.',
  FILE_TOO_LARGE: 'The file is larger than this server accepts.',
  QUOTA_EXCEEDED:
    'The account has too many bytes of files stored; wait for older ones to expire or delete some.',
  FILE_NOT_FOUND: 'There is no such file (unknown, expired, unfinished, or not this account’s).',
  GROUP_NOT_FOUND: 'There is no such group on this server, or this device is not in it.',
  GROUP_EXISTS: 'A group with this id already exists.',
  NOT_A_GROUP_MEMBER: 'This device is not a member of the group (never added, removed, or left).',
  STALE_EPOCH:
    'The group has moved to a later epoch; process the commits you have not seen yet and try again.',
  GROUP_TOO_LARGE: 'The group would have more member devices than this server allows.',
  NO_KEY_PACKAGES: 'A device has no MLS KeyPackage left to be added to a group with.',
  NOTIFICATIONS_UNAVAILABLE:
    'This server cannot send notification emails now: its operator configured no mail server, or the mail server did not take the email.',
  VERIFICATION_FAILED:
    'The verification code is wrong, expired or used up (too many attempts); ask for a new code.',
  INTERNAL: 'The server failed to handle the request; it was not carried out.',
  // Client (added by @sotto/client; local conditions of the SDK, never sent by a server)
  WEAK_PASSWORD: 'The password is too easy to guess; choose a stronger one (or explicitly allow a weak one).',
  NOT_CONNECTED: 'The client is not connected to a server; connect and retry.',
  NOT_REGISTERED: 'This profile holds no account yet; register or log in first.',
  ALREADY_REGISTERED: 'This profile already holds an account; use another profile.',
  TIMEOUT: 'The server did not answer in time.',
  STORAGE_WRONG_KEY:
    'The local profile could not be opened: wrong password or key file, or it was tampered with.',
  MESSAGE_NOT_FOUND: 'There is no such message in the local history of this device.',
  UNKNOWN_SENDER_DEVICE:
    "A message came from a device that is not on the sender's identity-signed device list (revoked or never certified); it was refused.",
  FILE_INTEGRITY:
    'A downloaded file does not match what the sender described (digest, size or authentication failed); nothing of it is kept.',
  CANCELLED: 'The operation was cancelled.',
  MLS_INVALID:
    'A group (MLS) message is malformed, from a non-member, of a wrong epoch or does not verify; the group state is unchanged.',
  GROUP_CREDENTIAL_INVALID:
    "A group member's credential does not match a device on its account's identity-signed device list.",
  NOT_GROUP_ADMIN: 'Only a group admin may do this (add or remove others, rename, change admins).',
  GROUP_COMMIT_MISSING:
    'The group moved to an epoch whose commit has not arrived (withheld or lost); its messages wait for it.',
  CALL_BUSY: 'A call is already going on on this device; end it first.',
  CALL_STATE: 'The call is not in a state that allows this (already answered, ended, or not ringing).',
} as const;

/** A stable error code from {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The error every Sotto package throws. `code` is stable and safe to show or send over the wire. */
export class SottoError extends Error {
  override readonly name = 'SottoError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string = ERROR_CODES[code], options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** True when `err` is a `SottoError`, and (if given) has the code `code`. */
  static is(err: unknown, code?: ErrorCode): err is SottoError {
    return err instanceof SottoError && (code === undefined || err.code === code);
  }
}
