/**
 * Limits. {@link WIRE_BOUNDS} are hard protocol maxima baked into the frame schemas (a frame beyond
 * them is malformed for every server). {@link Limits} is operator configuration, enforced by the
 * codec (sizes) and the server (counts, rates, mailboxes); {@link DEFAULT_LIMITS} are its defaults.
 * Configured values must not exceed the matching wire bound.
 */

const KiB = 1024;
const MiB = 1024 * KiB;
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
  /** Largest MLS KeyPackage (an X-Wing one is about 2.7 KB: two 1,216-byte public keys and signatures). */
  keyPackageBytes: 8 * KiB,
  /** Most one-time KeyPackages in one `mls.keys.upload`. */
  keyPackagesPerUpload: 100,
  /** Most devices in one `mls.keys.claim` (and KeyPackages in its answer). */
  keyPackageClaimDevices: 64,
  /** Most MLS ciphersuites one device may keep KeyPackages of on a server. */
  keyPackageSuites: 4,
  /** Largest MLS commit in a `groups.commit`, an envelope or `groups.commits.result`. */
  groupCommitBytes: 8 * MiB,
  /** Largest MLS Welcome (it carries the ratchet tree: ≈ 1.4–2.8 KB per X-Wing leaf). */
  groupWelcomeBytes: 8 * MiB,
  /** Largest MLS application message in a `groups.send` (a 1:1 body plus MLS framing and signature). */
  groupMessageBytes: 64 * KiB + 4 * KiB,
  /** Most member devices any server may route a group to (bounds `added` and `removed` of a commit). */
  groupDevices: 4096,
  /** Most commits in one `groups.commits.result`. */
  commitsPerPage: 64,
  /**
   * Largest frame a client must accept from a server, and the most a server may be configured to accept
   * in a large frame (`maxGroupFrameBytes`): an envelope, commit or claim answer carrying MLS data.
   */
  largeFrameBytes: 20 * MiB,
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
  /**
   * Largest `groups.commit` or `mls.keys.upload` frame an authenticated device may send, in bytes (every
   * other frame stays within `maxFrameBytes`); FRAME_TOO_LARGE beyond. At most
   * {@link WIRE_BOUNDS}.largeFrameBytes.
   */
  readonly maxGroupFrameBytes: number;
  /** Most member devices on one group's roster; a commit beyond it fails with GROUP_TOO_LARGE. */
  readonly maxGroupDevices: number;
  /** When a device's one-time MLS KeyPackages fall below this, the server pushes `mls.keys.low`. */
  readonly keyPackageLowWaterMark: number;
  /** Most one-time KeyPackages stored per device; an upload beyond it is refused (INVALID_ARGUMENT). */
  readonly keyPackageMaxStored: number;
  /** `mls.keys.claim` requests allowed per requesting device per minute (each consumes KeyPackages). */
  readonly keyPackageClaimsPerRequesterPerMinute: number;
  /** Most commits the server puts in one `groups.commits.result` (at most {@link WIRE_BOUNDS}.commitsPerPage). */
  readonly groupCommitsPerPage: number;
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
  maxGroupFrameBytes: 8 * MiB,
  maxGroupDevices: 1000,
  keyPackageLowWaterMark: 10,
  keyPackageMaxStored: 200,
  keyPackageClaimsPerRequesterPerMinute: 60,
  groupCommitsPerPage: 16,
});
