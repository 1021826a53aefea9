/**
 * Limits. {@link WIRE_BOUNDS} are hard protocol maxima baked into the frame schemas (a frame beyond
 * them is malformed for every server). {@link Limits} is operator configuration, enforced by the
 * codec (sizes) and the server (counts, rates, mailboxes); {@link DEFAULT_LIMITS} are its defaults.
 * Configured values must not exceed the matching wire bound.
 */

const KiB = 1024;
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** Hard maxima checked by the frame and body schemas. */
export const WIRE_BOUNDS = {
  /** Largest encoded identity public key (crypto's versioned key encoding). */
  identityKeyBytes: 128,
  /** Largest encoded device certificate. */
  certificateBytes: 1 * KiB,
  /** Largest encoded signed device list. */
  deviceListBytes: 8 * KiB,
  /** Largest encoded signed X25519 prekey or one-time X25519 prekey. */
  ecPrekeyBytes: 256,
  /** Largest encoded signed ML-KEM-768 prekey (1184-byte key plus id and signature). */
  kemPrekeyBytes: 2 * KiB,
  /** Most prekeys of one kind in one `keys.upload`. */
  prekeyBatch: 100,
  /** Most devices an account may have; bounds device lists, bundles and certificates. */
  devicesPerAccount: 16,
  /** Largest single ciphertext body in a `send` or `envelope`. */
  messageBodyBytes: 64 * KiB,
  /** Most ciphertexts in one `send` (recipient devices plus own other devices). */
  messagesPerSend: 64,
  /** Most envelope ids in one `ack` or `sent`. */
  envelopeIdsPerFrame: 256,
  /** Largest encrypted identity-key backup. */
  backupBytes: 64 * KiB,
  /** Longest presence status text, in characters. */
  presenceTextChars: 140,
  /** Longest error message, in characters. */
  errorMessageChars: 512,
  /** Most entries in a `contacts.list.result`. */
  contacts: 4096,
  /** Longest OPAQUE message string (@serenity-kit/opaque base64url). */
  opaqueMessageChars: 2048,
  /** Deepest CBOR nesting of any frame or body. */
  cborDepth: 8,
  /** Largest file (ciphertext) any server may accept: 4 GiB. */
  fileBytes: 4 * 1024 * 1024 * KiB,
} as const;

/** Operator-configurable limits (see docs/protocol.md "Limits"). */
export interface Limits {
  /** Largest WebSocket frame, in bytes; larger frames are refused with FRAME_TOO_LARGE before parsing. */
  readonly maxFrameBytes: number;
  /** Largest HTTP request or response body, in bytes; refused with FRAME_TOO_LARGE before parsing. */
  readonly maxBodyBytes: number;
  /** Most ciphertexts a client may put in one `send` (at most {@link WIRE_BOUNDS}.messagesPerSend). */
  readonly maxMessagesPerSend: number;
  /** Most undelivered envelopes stored per device; a send beyond it fails with MAILBOX_FULL. */
  readonly mailboxMaxEnvelopes: number;
  /** Age after which an undelivered envelope is deleted, in milliseconds. */
  readonly mailboxMaxAgeMs: number;
  /** OPAQUE login starts allowed per account per minute (RATE_LIMITED beyond). */
  readonly loginAttemptsPerAccountPerMinute: number;
  /** OPAQUE login and registration starts allowed per client IP per minute. */
  readonly loginAttemptsPerIpPerMinute: number;
  /** `send` frames allowed per device per second. */
  readonly sendsPerDevicePerSecond: number;
  /** `keys.bundles` requests allowed per requesting device per minute (each consumes prekeys). */
  readonly bundleFetchesPerRequesterPerMinute: number;
  /** When a device's one-time X25519 or KEM prekeys fall below this, the server pushes `keys.low`. */
  readonly prekeyLowWaterMark: number;
  /** Most prekeys of one kind accepted in one upload (at most {@link WIRE_BOUNDS}.prekeyBatch). */
  readonly prekeyMaxBatch: number;
  /** Most one-time prekeys of one kind stored per device; uploads beyond it are refused. */
  readonly prekeyMaxStored: number;
  /** Time a connection has to answer the `challenge` with `auth`, in milliseconds. */
  readonly authTimeoutMs: number;
  /** Lifetime of a login ticket issued by `/v1/login/finish`, in milliseconds. */
  readonly loginTicketTtlMs: number;
  /** Lifetime of server state between `/v1/login/start` and `/finish`, in milliseconds. */
  readonly loginStateTtlMs: number;
  /** Largest file upload (ciphertext bytes); FILE_TOO_LARGE beyond (at most {@link WIRE_BOUNDS}.fileBytes). */
  readonly maxFileBytes: number;
  /** Most bytes of files an account may have stored at once (finished and in progress); QUOTA_EXCEEDED beyond. */
  readonly fileQuotaBytesPerAccount: number;
  /** Age after which a finished file is deleted, in milliseconds. */
  readonly fileMaxAgeMs: number;
  /** How long an upload token (and an unfinished upload) lives, in milliseconds. */
  readonly uploadTtlMs: number;
}

/** Sane defaults for {@link Limits}. */
export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxFrameBytes: 256 * KiB,
  maxBodyBytes: 256 * KiB,
  maxMessagesPerSend: WIRE_BOUNDS.messagesPerSend,
  mailboxMaxEnvelopes: 10_000,
  mailboxMaxAgeMs: 30 * DAY_MS,
  loginAttemptsPerAccountPerMinute: 10,
  loginAttemptsPerIpPerMinute: 30,
  sendsPerDevicePerSecond: 20,
  bundleFetchesPerRequesterPerMinute: 60,
  prekeyLowWaterMark: 20,
  prekeyMaxBatch: WIRE_BOUNDS.prekeyBatch,
  prekeyMaxStored: 500,
  authTimeoutMs: 10_000,
  loginTicketTtlMs: 5 * MINUTE_MS,
  loginStateTtlMs: MINUTE_MS,
  maxFileBytes: 100 * 1024 * KiB + 64 * KiB,
  fileQuotaBytesPerAccount: 2 * 1024 * 1024 * KiB,
  fileMaxAgeMs: 30 * DAY_MS,
  uploadTtlMs: DAY_MS,
});
