/**
 * The local contact records: the relationship state mirrored from the server, the recorded identity key
 * (trust on first use), whether the user verified it, a pending changed key, and the last presence.
 */

import {
  bool,
  bytes,
  type ContactState,
  contactState,
  object,
  optional,
  presenceState,
  text,
  uint,
} from '@sotto/protocol';
import { decodeRecord, encodeRecord } from './records.js';
import { type ClientStore, put, type StoreOp } from './store/store.js';
import type { Contact, PresenceInfo } from './types.js';

const contactSchema = object({
  state: contactState,
  /** The identity key recorded for the account (raw Ed25519). */
  identityKey: optional(bytes({ length: 32 })),
  verified: bool(),
  /** A different identity key seen for a verified contact, held until acknowledged. */
  pendingIdentityKey: optional(bytes({ length: 32 })),
  /** Blocked by this account (set only by this device's user or a sync from an own device, never the server). */
  blocked: optional(bool()),
  presence: optional(
    object({ state: presenceState, text: optional(text({ max: 140 })), lastSeen: optional(uint()) }),
  ),
});

/** A stored contact record. */
export interface ContactRecord {
  state: ContactState;
  identityKey?: Uint8Array | undefined;
  verified: boolean;
  pendingIdentityKey?: Uint8Array | undefined;
  /** Blocked by a user of this account (authoritative: the server can neither set nor lift it). */
  blocked?: boolean | undefined;
  presence?: PresenceInfo | undefined;
}

/**
 * True when `r`'s account is blocked: by this account's own record, or as the server reports it (a server
 * can claim a block, which only drops messages, but cannot lift one made here).
 */
export function isBlocked(r: ContactRecord): boolean {
  return r.blocked === true || r.state === 'blocked';
}

/** The record of `account`, or a fresh one (`none`, unverified). */
export async function loadContact(store: ClientStore, account: string): Promise<ContactRecord> {
  const raw = await store.get('contacts', account);
  if (raw === undefined) return { state: 'none', verified: false };
  return { ...decodeRecord(contactSchema, raw) };
}

/** The operation storing `record` for `account`. */
export function contactOp(account: string, record: ContactRecord): StoreOp {
  return put('contacts', account, encodeRecord(contactSchema, record));
}

/** Loads, changes and stores the record of `account`; returns the new record. */
export async function updateContact(
  store: ClientStore,
  account: string,
  change: (r: ContactRecord) => void,
): Promise<ContactRecord> {
  const r = await loadContact(store, account);
  change(r);
  await store.write([contactOp(account, r)]);
  return r;
}

/** Every stored contact record. */
export async function listContactRecords(store: ClientStore): Promise<Array<[string, ContactRecord]>> {
  return (await store.list('contacts')).map(([k, v]) => [k, { ...decodeRecord(contactSchema, v) }]);
}

/** The public view of a record. */
export function toContact(account: string, r: ContactRecord): Contact {
  return {
    account,
    state: r.blocked === true ? 'blocked' : r.state,
    verified: r.verified,
    identityChanged: r.pendingIdentityKey !== undefined,
    presence: r.presence,
  };
}
