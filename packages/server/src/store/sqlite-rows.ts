/** Row-to-record conversions of the SQLite adapter. */
import type { PresenceState } from '@sotto/protocol';
import type { FileRecord, FileState } from './file-records.js';
import type { EnvelopeGroupRef, GroupPayloadKind } from './group-records.js';
import type { AccountRecord, DeviceRecord, StoredEnvelope, StoredPrekey, StoredPresence } from './store.js';

/** A result row. */
export type Row = Record<string, unknown>;

/** A BLOB column as a plain Uint8Array view (empty when absent). */
export const bytes = (v: unknown): Uint8Array =>
  v instanceof Uint8Array ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(0);
/** A TEXT column. */
export const text = (v: unknown): string => (typeof v === 'string' ? v : String(v));
/** An INTEGER column. */
export const int = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : Number(v));

/** An `accounts` row. */
export function toAccount(r: Row): AccountRecord {
  return {
    name: text(r.name),
    opaqueRecord: text(r.opaque_record),
    identityKey: bytes(r.identity_key),
    deviceList: bytes(r.device_list),
    deviceListVersion: int(r.device_list_version),
    backup: bytes(r.backup),
    createdAt: int(r.created_at),
  };
}

/** A `devices` row. */
export function toDevice(r: Row): DeviceRecord {
  return {
    account: text(r.account),
    deviceId: int(r.device_id),
    signingKey: bytes(r.signing_key),
    certificate: r.certificate instanceof Uint8Array ? bytes(r.certificate) : undefined,
  };
}

const PRESENCE_STATES: ReadonlySet<unknown> = new Set<PresenceState>(['online', 'away', 'busy', 'offline']);

/** The presence columns of an `accounts` row (a state this server does not know reads as none chosen). */
export function toPresence(r: Row): StoredPresence {
  return {
    state: PRESENCE_STATES.has(r.presence_state) ? (r.presence_state as PresenceState) : undefined,
    text: typeof r.presence_text === 'string' ? r.presence_text : undefined,
    lastSeen: r.last_seen === null || r.last_seen === undefined ? undefined : int(r.last_seen),
  };
}

/** An `envelopes` row. */
export function toEnvelope(r: Row): StoredEnvelope {
  return {
    seq: int(r.seq),
    id: bytes(r.id),
    sender: { account: text(r.sender_account), deviceId: int(r.sender_device) },
    recipient: { account: text(r.recipient_account), deviceId: int(r.recipient_device) },
    body: bytes(r.body),
    receivedAt: int(r.received_at),
    group: toEnvelopeGroup(r),
  };
}

const GROUP_KINDS: ReadonlySet<unknown> = new Set<GroupPayloadKind>(['commit', 'welcome', 'message']);

/**
 * The group part of a mailbox row (joined from `group_bodies`: `group_id`, `group_kind`, `group_epoch`),
 * or undefined for a 1:1 envelope.
 */
export function toEnvelopeGroup(r: Row): EnvelopeGroupRef | undefined {
  if (!(r.group_id instanceof Uint8Array) || !GROUP_KINDS.has(r.group_kind)) return undefined;
  return { id: bytes(r.group_id), kind: r.group_kind as GroupPayloadKind, epoch: int(r.group_epoch) };
}

/** A prekey row, or undefined. */
export const toPrekey = (r: Row | undefined): StoredPrekey | undefined =>
  r === undefined ? undefined : { keyId: int(r.key_id), encoded: bytes(r.encoded) };

const FILE_STATES: ReadonlySet<unknown> = new Set<FileState>(['authorized', 'uploading', 'complete']);
const optionalInt = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : int(v));

/** A `files` row (a state this server does not know reads as `authorized`: never served, expires). */
export function toFileRecord(r: Row): FileRecord {
  return {
    id: text(r.id),
    account: text(r.account),
    maxSize: int(r.max_size),
    size: optionalInt(r.size),
    state: FILE_STATES.has(r.state) ? (r.state as FileState) : 'authorized',
    createdAt: int(r.created_at),
    tokenExpiresAt: int(r.token_expires_at),
    completedAt: optionalInt(r.completed_at),
    expiresAt: int(r.expires_at),
  };
}
