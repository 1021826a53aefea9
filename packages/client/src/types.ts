/**
 * The public data types of the SDK: what methods return and what events carry. Everything here is plain
 * data (strings, numbers, booleans, `Uint8Array`), safe to serialize; none of it holds a secret.
 */

import type { ContactState, PresenceState } from '@sotto/protocol';

export type { ContactState, PresenceState } from '@sotto/protocol';

/** A clock; inject one in tests. Milliseconds since the Unix epoch. */
export interface Clock {
  now(): number;
}

/** The outcome of a password strength check (zxcvbn). */
export interface PasswordStrength {
  /** 0 (too guessable) … 4 (very unguessable). Below 3 counts as weak. */
  readonly score: 0 | 1 | 2 | 3 | 4;
  /** True when `score` < 3: `register` refuses it unless `allowWeakPassword` is set. */
  readonly weak: boolean;
  /** A short explanation, or the empty string. */
  readonly warning: string;
  /** Hints to make the password stronger. */
  readonly suggestions: readonly string[];
}

/** A step of key generation and registration that has just completed, for a progress display. */
export interface ProgressEvent {
  readonly step: 'password' | 'identity' | 'device' | 'prekeys' | 'opaque' | 'backup' | 'upload' | 'done';
  /** Steps finished so far (1-based count including this one). */
  readonly done: number;
  readonly total: number;
}

/** Who this client is. */
export interface WhoAmI {
  readonly account: string;
  readonly deviceId: number;
  /** The account identity public key (raw Ed25519, 32 bytes). */
  readonly identityKey: Uint8Array;
  /** The servers this profile talks to. */
  readonly servers: readonly string[];
}

/** One contact as the local profile knows it. */
export interface Contact {
  readonly account: string;
  readonly state: ContactState;
  /** True after {@link SottoClient.markVerified} (and until the identity key changes). */
  readonly verified: boolean;
  /** True when a new identity key was seen and not yet acknowledged. */
  readonly identityChanged: boolean;
  /** Last known presence (accepted contacts only). */
  readonly presence?: PresenceInfo | undefined;
}

/** A contact's presence. */
export interface PresenceInfo {
  readonly state: PresenceState;
  readonly text?: string | undefined;
  /** With `offline`: when the account was last connected (server time). */
  readonly lastSeen?: number | undefined;
}

/**
 * Delivery state of a message. Outgoing: `pending` (stored here, not yet confirmed by the server: queued
 * offline or in flight) → `sent` → `delivered` → `read`, only ever moving forward; or `failed` when the send
 * was refused (the message stays, with {@link Message.error}, until {@link SottoClient.resend} or
 * {@link SottoClient.deleteMessage}). Incoming: `delivered`, then `read` once marked read here.
 */
export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

/**
 * Where a message's file stands. Outgoing from this device: `uploading` (encrypted and uploaded, resumable)
 * → `uploaded` (then the message's {@link MessageStatus} moves on as for a text), or `failed`. Received
 * (also the copies of files one's other devices sent): `available` → `downloading` → `downloaded`, or
 * `failed` with {@link Message.error} (FILE_INTEGRITY, FILE_NOT_FOUND); a download that was cancelled or
 * lost its connection goes back to where it was and can be started again.
 */
export type FileState = 'uploading' | 'uploaded' | 'available' | 'downloading' | 'downloaded' | 'failed';

/** A small preview image carried inside a file message (at most 16 KiB of JPEG, PNG or WebP). */
export interface FileThumbnail {
  readonly bytes: Uint8Array;
  readonly mediaType: 'image/jpeg' | 'image/png' | 'image/webp';
  readonly width: number;
  readonly height: number;
}

/** The file of a file message (everything but the key, which stays in the store). */
export interface FileInfo {
  /** Cleaned of path separators and control characters; at most 255 characters. */
  readonly name: string;
  readonly mediaType: string;
  /** Bytes (plaintext). */
  readonly size: number;
  /** The caption, also in {@link Message.text}. */
  readonly caption?: string | undefined;
  readonly thumbnail?: FileThumbnail | undefined;
  /** For voice notes and videos. */
  readonly durationMs?: number | undefined;
  readonly state: FileState;
}

/** Progress of an upload or download (plaintext bytes). */
export interface FileProgressEvent {
  readonly messageId: string;
  readonly direction: 'up' | 'down';
  readonly bytes: number;
  readonly total: number;
}

/**
 * How a call ended, as its log entry says. The caller's side: `ended` (after it connected), `cancelled`
 * (hung up before an answer), `no-answer` (rang out), `declined`, `busy`, `failed`. The callee's side:
 * `ended`, `missed` (not answered: it rang out, the caller gave up, or the offer arrived too late),
 * `declined` (here or on another own device), `answered-elsewhere` (another own device took it), `busy`
 * (refused because a call was going on), `failed`.
 */
export const CALL_OUTCOMES = [
  'ended',
  'cancelled',
  'no-answer',
  'missed',
  'declined',
  'busy',
  'failed',
  'answered-elsewhere',
] as const;
/** How a call ended. */
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** The call of a call log entry (a message-like line in the conversation; nothing was sent for it). */
export interface CallLogInfo {
  /** The call id, 32 hex characters. */
  readonly id: string;
  readonly media: 'audio' | 'video';
  readonly outcome: CallOutcome;
  /** With `ended`: how long it was connected. */
  readonly durationMs?: number | undefined;
}

/** A message in a conversation, incoming or outgoing (also outgoing from one's own other devices). */
export interface Message {
  /** 32 hex characters, chosen by the sending device. */
  readonly id: string;
  /** The other party of the conversation. */
  readonly conversation: string;
  /** `out` when sent by this account (by any of its devices). */
  readonly direction: 'in' | 'out';
  /** The sending account and device. */
  readonly from: { readonly account: string; readonly deviceId: number };
  readonly text: string;
  /** The sender's clock, ms since the epoch (the conversation is ordered by it, then by `seq`). */
  readonly sentAt: number;
  /** The sending device's message counter. */
  readonly seq: number;
  /** When this device stored it. */
  readonly receivedAt: number;
  /** For outgoing messages: how far it got. For incoming: `read` once marked read here. */
  readonly status: MessageStatus;
  /**
   * With `failed`, or a file in state `failed`: the stable error code (e.g. `UNTRUSTED_IDENTITY`,
   * `NOT_A_CONTACT`, `FILE_INTEGRITY`).
   */
  readonly error?: string | undefined;
  /** For a file message: the file (its caption is also in `text`). */
  readonly file?: FileInfo | undefined;
  /**
   * For a call log entry: the call. Such an entry is written by this device when a call ends (never sent);
   * its `text` says what happened in words ("Missed call"), for clients that do not know calls.
   */
  readonly call?: CallLogInfo | undefined;
}

/** A delivery or read receipt from a contact (or from one's own other device, for `read`). */
export interface ReceiptEvent {
  readonly conversation: string;
  readonly from: { readonly account: string; readonly deviceId: number };
  readonly kind: 'delivered' | 'read';
  readonly messageIds: readonly string[];
}

/** A typing indicator. */
export interface TypingEvent {
  /** The conversation: the typing account for a 1:1 chat, `#<hex>` for a group. */
  readonly conversation: string;
  readonly account: string;
  readonly deviceId: number;
  readonly typing: boolean;
}

/** A contact's presence changed. */
export interface PresenceEvent extends PresenceInfo {
  readonly account: string;
}

/** A contact relationship changed (`kind` as on the wire; `state` is the new local state). */
export interface ContactEvent {
  readonly kind: 'request' | 'accept' | 'decline' | 'remove' | 'block' | 'unblock';
  readonly account: string;
  readonly state: ContactState;
}

/** A contact's identity key differs from the recorded one. */
export interface IdentityChangedEvent {
  readonly account: string;
  /**
   * True when the contact was verified: sending is refused (UNTRUSTED_IDENTITY) and messages under the new
   * key are held back until {@link SottoClient.acknowledgeIdentityChange}. When false, the new key was
   * recorded (trust on first use) and this event is the notice.
   */
  readonly verified: boolean;
}

/** An account's verified device list changed. */
export interface DevicesChangedEvent {
  readonly account: string;
  readonly added: readonly number[];
  readonly removed: readonly number[];
}

/** The connection state. */
export interface ConnectionEvent {
  readonly state: 'connecting' | 'online' | 'offline';
  /** The server URL, when connecting or online. */
  readonly server?: string | undefined;
}

/** A problem in the background (an envelope that could not be processed, a failed reconnect). No secrets. */
export interface ClientErrorEvent {
  readonly code: string;
  readonly message: string;
  /**
   * The group (`#<32 hex>`) the problem is about, when it is about one: a group message or commit refused
   * (MLS_INVALID, GROUP_CREDENTIAL_INVALID, NOT_GROUP_ADMIN), commits missing (GROUP_COMMIT_MISSING), a
   * failed catch-up or reconciliation of that group. Absent otherwise (and for a Welcome refused before
   * its group is known).
   */
  readonly conversation?: string;
}

/** A member of a group: an account and its devices in the group. */
export interface GroupMember {
  readonly account: string;
  /** Its devices that are members (each device is one MLS leaf). */
  readonly devices: readonly number[];
  readonly admin: boolean;
}

/** A group as this device knows it (from the MLS state every member verified). */
export interface GroupInfo {
  /** The conversation id: `#` and the 32 hex digits of the group id. */
  readonly id: string;
  readonly name: string;
  /** `xwing` (post-quantum hybrid, the default) or `classic` (X25519). */
  readonly suite: 'xwing' | 'classic';
  /** The MLS epoch (one more with every commit). */
  readonly epoch: number;
  /**
   * `active`; or `left` / `removed` once this device left or was removed: its history stays, nothing can
   * be sent, and nothing of the group is received any more.
   */
  readonly status: 'active' | 'left' | 'removed';
  /** Members in order of their oldest device in the group. */
  readonly members: readonly GroupMember[];
  readonly admins: readonly string[];
  /** True when this account is an admin of an active group. */
  readonly admin: boolean;
}

/** A group changed. */
export interface GroupEvent {
  /** The conversation id of the group (`#<hex>`). */
  readonly id: string;
  /**
   * `created` (by this device), `joined` (this device was added), `members` (accounts or devices were
   * added or removed), `renamed`, `admins` (the admins changed), `left` (this device left), `removed`
   * (this device was removed by another member).
   */
  readonly kind: 'created' | 'joined' | 'members' | 'renamed' | 'admins' | 'left' | 'removed';
  /** The account whose device made the change (for `left`: this account). */
  readonly by: string;
  /** With `members`: accounts that joined (their first device was added). */
  readonly added?: readonly string[] | undefined;
  /** With `members`: accounts that are no longer members (their last device was removed). */
  readonly removed?: readonly string[] | undefined;
}

/** Every event the client emits, by name. */
export interface ClientEvents {
  /** A new message was stored (incoming, or sent by one of this account's other devices). */
  message: Message;
  /** A stored message changed: its status (sent, delivered, read, failed, pending again on resend). */
  'message-updated': Message;
  receipt: ReceiptEvent;
  typing: TypingEvent;
  presence: PresenceEvent;
  'contact-request': { readonly account: string };
  'contact-event': ContactEvent;
  'identity-changed': IdentityChangedEvent;
  'devices-changed': DevicesChangedEvent;
  /** Another device of this account told us its name (end to end). */
  'device-named': { readonly deviceId: number; readonly name: string };
  /** A call rings here (see `Call`; accept, decline or let it ring out). */
  call: import('./calls/call.js').Call;
  /** A group was created, joined, left, or its members, name or admins changed. */
  group: GroupEvent;
  /** An upload or download made progress (at least every MiB, and at the start and the end). */
  'file-progress': FileProgressEvent;
  connection: ConnectionEvent;
  progress: ProgressEvent;
  error: ClientErrorEvent;
}

/** One of this account's devices. */
export interface DeviceInfo {
  readonly deviceId: number;
  /** True for the device this client runs as. */
  readonly current: boolean;
  /** From its certificate, ms since the epoch (undefined if the certificate is missing). */
  readonly createdAt?: number | undefined;
  /** True when the identity key certified it. Uncertified devices are never encrypted to. */
  readonly certified: boolean;
  /** The name the device gave itself (end-to-end encrypted: only this account's devices can read it). */
  readonly name?: string | undefined;
}

/** A safety number for one contact. */
export interface SafetyNumberInfo {
  /** 60 digits. */
  readonly digits: string;
  /** The digits in 12 groups of 5. */
  readonly groups: readonly string[];
  /** What a QR code encodes (66 bytes). */
  readonly qrPayload: Uint8Array;
}
