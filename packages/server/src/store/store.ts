/**
 * The `Store` port: everything the server keeps durably. Methods are async so a PostgreSQL adapter can
 * implement the same interface; every method that changes more than one row is one transaction.
 * Keys, certificates, device lists and ciphertexts are opaque bytes here: the modules verify them first.
 */
import type { PresenceState } from '@sotto/protocol';
import type { AdminRecords } from './admin-records.js';
import type { FileRecords } from './file-records.js';
import type { EnvelopeGroupRef, GroupRecords } from './group-records.js';
import type { NotifyRecords } from './notify-records.js';

/** What a write changed, as announced to the other nodes. */
export type CacheInvalidation =
  /** The account was created, deleted, or its device list replaced. */
  | { readonly kind: 'account'; readonly account: string }
  /** Contact relations or blocks changed. */
  | { readonly kind: 'relations' }
  /** Anything may have changed (an account deleted by the operator, a reconnect of the bus). */
  | { readonly kind: 'all' };

/** How a store's per-node cache hears of other nodes' writes, and announces its own. */
export interface SharedCacheLink {
  /** Sets where this node announces its writes (the bus); once, at start. */
  announce(publish: (change: CacheInvalidation) => void): void;
  /** A write elsewhere (another node's announcement, or `all` after the bus reconnected). */
  invalidate(change: CacheInvalidation): void;
}

/** One account: its OPAQUE record, identity public key, signed device list and encrypted backup. */
export interface AccountRecord {
  readonly name: string;
  /** The OPAQUE registration record (the server never sees the password). */
  readonly opaqueRecord: string;
  readonly identityKey: Uint8Array;
  /** The device list as signed by the identity key, exactly as uploaded. */
  readonly deviceList: Uint8Array;
  readonly deviceListVersion: number;
  /** The identity-key backup, encrypted under a key only the password opens. */
  readonly backup: Uint8Array;
  readonly createdAt: number;
}

/** What an account chose to show its contacts, and when it was last connected. */
export interface StoredPresence {
  /** The chosen state; undefined until the account chooses one. */
  readonly state: PresenceState | undefined;
  readonly text: string | undefined;
  /** When its last device disconnected (ms since the epoch). */
  readonly lastSeen: number | undefined;
}

/** A device of an account, taken from its verified device list. */
export interface DeviceRecord {
  readonly account: string;
  /** u32, unique within the account. */
  readonly deviceId: number;
  /** The device's Ed25519 signing key: it signs connection challenges and prekeys. */
  readonly signingKey: Uint8Array;
  /** The device certificate (signed by the identity key), once the device uploaded its keys. */
  readonly certificate: Uint8Array | undefined;
}

/** A device list change: the new signed list and the devices it names. */
export interface DeviceListUpdate {
  readonly deviceList: Uint8Array;
  readonly version: number;
  readonly devices: readonly {
    readonly deviceId: number;
    readonly signingKey: Uint8Array;
    /** Set to store (or replace) this device's certificate along with the list. */
    readonly certificate?: Uint8Array | undefined;
  }[];
}

/** One prekey as uploaded (already verified), with the id the owner chose. */
export interface StoredPrekey {
  readonly keyId: number;
  readonly encoded: Uint8Array;
}

/** The signed keys of a device; absent fields stay as they are. */
export interface DeviceKeysUpdate {
  readonly certificate?: Uint8Array | undefined;
  readonly signedPrekey?: StoredPrekey | undefined;
  readonly lastResortKem?: StoredPrekey | undefined;
}

/** Kinds of one-time prekeys. */
export type OneTimeKind = 'x25519' | 'mlkem';

/** What a bundle fetch hands out: the signed keys, and at most one one-time key of each kind. */
export interface StoredBundle {
  readonly device: DeviceRecord & { readonly certificate: Uint8Array };
  readonly signedPrekey: StoredPrekey;
  readonly lastResortKem: StoredPrekey;
  readonly oneTimeX25519: StoredPrekey | undefined;
  readonly oneTimeKem: StoredPrekey | undefined;
  /** One-time keys left after this fetch. */
  readonly remaining: { readonly x25519: number; readonly mlkem: number };
}

/** A device address. */
export interface DeviceAddress {
  readonly account: string;
  readonly deviceId: number;
}

/** An envelope to store for one recipient device. */
export interface NewEnvelope {
  /** A fresh random id from the relay (what the recipient acknowledges); not indexed. */
  readonly id: Uint8Array;
  readonly sender: DeviceAddress;
  readonly recipient: DeviceAddress;
  readonly body: Uint8Array;
  readonly receivedAt: number;
  /** Set on a group's envelope: its body is the group body it points at (see {@link GroupRecords}). */
  readonly group?: EnvelopeGroupRef | undefined;
}

/** An envelope as stored; `seq` orders a mailbox. */
export interface StoredEnvelope extends NewEnvelope {
  readonly seq: number;
}

/** An envelope a device acknowledged: its `seq` (known to the node that delivered it) and its id. */
export interface EnvelopeRef {
  readonly seq: number;
  readonly id: Uint8Array;
}

/** The outcome of storing one send. `seqs[i]` is the `seq` given to `envelopes[i]`. */
export type EnqueueResult =
  | {
      readonly ok: true;
      readonly stored: number;
      readonly seqs: readonly number[];
      /**
       * Per envelope, the highest `seq` its mailbox held when it was stored (0: none), when the adapter
       * knows it (PostgreSQL): see `MailSignal.prev`.
       */
      readonly prevs?: readonly number[] | undefined;
    }
  | { readonly ok: false; readonly full: DeviceAddress };

/** A contact relation seen from `owner`. */
export type ContactState = 'outgoing' | 'incoming' | 'accepted';

/** One row of an account's contact list. */
export interface ContactRecord {
  readonly peer: string;
  readonly state: ContactState;
}

/** What a contact request did. */
export type ContactRequestResult = 'pending' | 'accepted' | 'unchanged';

/**
 * The reads the relay makes on every send, answered at once. An adapter whose reads are synchronous
 * (SQLite) offers them as {@link Store.immediate}, so a send is checked without a turn of the event loop
 * per read; each answers exactly as its asynchronous twin on {@link Store}.
 */
export interface ImmediateReads {
  accountExists(name: string): boolean;
  isBlocked(blocker: string, blocked: string): boolean;
  getContact(owner: string, peer: string): ContactState | undefined;
  /** The account's device ids, ascending (shared: never mutate the array). */
  listDeviceIds(account: string): readonly number[];
}

/**
 * {@link ImmediateReads} that may not know the answer at once: each returns undefined when it would have
 * to ask the database (then use the asynchronous twin on {@link Store}, which also remembers the answer).
 */
export interface CachedReads {
  accountExists(name: string): boolean | undefined;
  isBlocked(blocker: string, blocked: string): boolean | undefined;
  /** `null`: known to be no relation. */
  getContact(owner: string, peer: string): ContactState | null | undefined;
  listDeviceIds(account: string): readonly number[] | undefined;
}

/** The storage port. Adapters: SQLite (`SqliteStore`) and PostgreSQL (`PostgresStore`). */
export interface Store {
  /** The relay's reads without waiting, when this adapter can answer them at once. */
  readonly immediate?: ImmediateReads | undefined;
  /** The relay's reads from a cache, when this adapter has one (PostgreSQL): no wait on a hit. */
  readonly cached?: CachedReads | undefined;
  /**
   * A per-node read cache that writes of other nodes make stale (PostgreSQL): the server passes this
   * node's announcements to the bus and hands it those of the other nodes.
   */
  readonly sharedCache?: SharedCacheLink | undefined;

  // Accounts
  /** Creates an account; false when the name is taken. */
  createAccount(account: AccountRecord, devices: DeviceListUpdate['devices']): Promise<boolean>;
  getAccount(name: string): Promise<AccountRecord | undefined>;
  /** True when the account exists (cheaper than {@link Store.getAccount}: reads no blobs). */
  accountExists(name: string): Promise<boolean>;
  /**
   * Replaces the device list when the stored version is still `expectedVersion` (compare and swap);
   * devices not in the new list lose their prekeys and mailboxes. False when another update won.
   */
  replaceDeviceList(name: string, expectedVersion: number, update: DeviceListUpdate): Promise<boolean>;
  setBackup(name: string, backup: Uint8Array): Promise<void>;
  getDevice(account: string, deviceId: number): Promise<DeviceRecord | undefined>;
  listDevices(account: string): Promise<DeviceRecord[]>;
  /** The ids of the account's devices, ascending (reads no keys: the relay's device-set check). */
  listDeviceIds(account: string): Promise<number[]>;
  /** Records when the account's last device disconnected. */
  setLastSeen(account: string, at: number): Promise<void>;
  /** Records the presence state and status text the account chose (no text clears it). */
  setPresence(account: string, state: PresenceState, text: string | undefined): Promise<void>;
  /** The account's chosen presence and last-seen time; undefined when there is no such account. */
  getPresence(account: string): Promise<StoredPresence | undefined>;

  // Prekeys
  /**
   * Sets the device's certificate, signed X25519 prekey and/or last-resort ML-KEM prekey (replacing the
   * old ones). False when the device is not (or no longer) in the account's device list.
   */
  putDeviceKeys(device: DeviceAddress, keys: DeviceKeysUpdate): Promise<boolean>;
  /** Adds one-time prekeys (an id already present is replaced); false when the device is unknown. */
  addOneTimePrekeys(
    device: DeviceAddress,
    kind: OneTimeKind,
    keys: readonly StoredPrekey[],
  ): Promise<boolean>;
  countOneTimePrekeys(device: DeviceAddress): Promise<{ x25519: number; mlkem: number }>;
  /**
   * Atomically builds a bundle and deletes the one-time keys it hands out: two calls never return the
   * same one-time key. Undefined when the device has no certificate or signed prekeys yet.
   */
  takeBundle(device: DeviceAddress): Promise<StoredBundle | undefined>;

  // Mailboxes
  /** Stores every envelope of one send in one transaction, durably, or none when a mailbox is full. */
  enqueue(envelopes: readonly NewEnvelope[], maxPerMailbox: number): Promise<EnqueueResult>;
  /** The device's envelopes with `seq > afterSeq` received at or after `notBefore`, oldest first. */
  fetchMailbox(
    device: DeviceAddress,
    afterSeq: number,
    notBefore: number,
    limit: number,
  ): Promise<StoredEnvelope[]>;
  /**
   * Deletes acknowledged envelopes of this device, each found by its `seq` and deleted only when its id
   * matches too; returns how many were deleted.
   */
  ackEnvelopes(device: DeviceAddress, acks: readonly EnvelopeRef[]): Promise<number>;
  /**
   * Deletes the oldest envelopes, in `seq` order, up to the first one received at or after `before`;
   * returns how many. The relay stamps envelopes in `seq` order, so that is every envelope received
   * before `before`; where stamps are out of order (clocks of several nodes), an expired envelope may be
   * kept until the ones before it expire (it is never delivered: reads skip it).
   */
  expireEnvelopes(before: number): Promise<number>;
  /** Envelopes stored in all mailboxes. */
  mailboxDepth(): Promise<number>;
  /**
   * About {@link Store.mailboxDepth}, without counting the rows (a store where counting scans a large
   * table offers it): what the depth gauge polls.
   */
  mailboxDepthEstimate?(): Promise<number>;

  // Contacts
  /** `from` asks `to`; a crossing request accepts both. */
  requestContact(from: string, to: string): Promise<ContactRequestResult>;
  /** `owner` accepts `peer`'s pending request; false when there is none. */
  acceptContact(owner: string, peer: string): Promise<boolean>;
  /** Deletes the relation in both directions (decline, cancel or remove); false when there was none. */
  removeContact(a: string, b: string): Promise<boolean>;
  getContact(owner: string, peer: string): Promise<ContactState | undefined>;
  listContacts(owner: string): Promise<ContactRecord[]>;
  /** Blocks `blocked` for `blocker` and removes any relation between them. */
  block(blocker: string, blocked: string): Promise<void>;
  unblock(blocker: string, blocked: string): Promise<void>;
  isBlocked(blocker: string, blocked: string): Promise<boolean>;
  /** The accounts `blocker` blocks. */
  listBlocked(blocker: string): Promise<string[]>;

  // Files
  /** Records of encrypted files and uploads (the bytes live in the blob store). */
  readonly files: FileRecords;

  // Groups
  /** MLS KeyPackages, groups, rosters, the commit log and group fan-out (ADR 0018). */
  readonly groups: GroupRecords;
  // The operator
  /** Disabled and deleted accounts, invites, daily counts, node status (`sotto-server admin`). */
  readonly admin: AdminRecords;
  // Notifications
  /** Notification email addresses and when a notification is due (modules/notify). */
  readonly notify: NotifyRecords;

  // The deployment
  /** True when the store holds at least one account. */
  hasAccounts(): Promise<boolean>;
  /** The deployment's setting `name` (such as the OPAQUE setup's fingerprint); undefined until recorded. */
  getSetting(name: string): Promise<string | undefined>;
  /**
   * Records `value` as the setting `name` unless one is recorded already (atomically: of nodes racing,
   * one wins); returns the value recorded now, which is `value` or the one that was there.
   */
  recordSetting(name: string, value: string): Promise<string>;

  /** A cheap query that proves the database answers (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
