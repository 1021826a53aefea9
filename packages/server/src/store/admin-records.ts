/**
 * The operator's part of the {@link Store} port (migration 7): disabling and deleting accounts, invites
 * for `token` registration, a daily count of messages, each node's count of connected devices, and the
 * figures of `sotto-server admin stats`. Everything here is read or written by `sotto-server admin` (a
 * separate process on the same database) and by the running nodes, so it lives in the store, never in a
 * node's memory.
 */
import type { FileUsage } from './file-records.js';

/** One account as `admin users list` shows it. Times are ms since the epoch. */
export interface AccountSummary {
  readonly name: string;
  readonly createdAt: number;
  /** When its last device disconnected (it may have reconnected since); undefined when never. */
  readonly lastSeen: number | undefined;
  /** When the operator disabled it; undefined while it is enabled. */
  readonly disabledAt: number | undefined;
  /** Devices on its device list. */
  readonly devices: number;
}

/** One device as `admin devices list` shows it. */
export interface DeviceSummary {
  readonly deviceId: number;
  /** The device uploaded its certificate (it has connected at least once). */
  readonly certified: boolean;
  /** One-time prekeys left. */
  readonly prekeys: { readonly x25519: number; readonly mlkem: number };
  /** Envelopes waiting in its mailbox, their ciphertext bytes, and when the oldest arrived. */
  readonly waiting: number;
  readonly waitingBytes: number;
  readonly oldestWaiting: number | undefined;
}

/** An invite as stored: never the token, only its hash (and the id derived from it). */
export interface InviteRecord {
  /** A short public name of the invite (from its hash), for listing and revoking. */
  readonly id: string;
  readonly maxUses: number;
  readonly uses: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly revokedAt: number | undefined;
  /** What the operator wrote about it (who it is for). */
  readonly note: string | undefined;
}

/** A new invite. */
export interface NewInvite {
  readonly id: string;
  /** SHA-256 of the token. */
  readonly tokenHash: Uint8Array;
  readonly maxUses: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly note: string | undefined;
}

/** What the operator did to an account, in the order done; nodes close the account's connections. */
export interface AccountEvent {
  readonly seq: number;
  readonly account: string;
  readonly action: 'disabled' | 'enabled' | 'deleted';
  readonly at: number;
}

/** A node's last report of itself. */
export interface NodeStatus {
  /** Random per process start. */
  readonly node: string;
  /** Devices with an authenticated connection to it. */
  readonly devices: number;
  readonly startedAt: number;
  readonly updatedAt: number;
  readonly version: string;
}

/** Messages relayed on one UTC day, summed over the nodes. */
export interface DailyCount {
  /** `YYYY-MM-DD` (UTC). */
  readonly day: string;
  /** `send` frames stored: one message (or receipt, or typing notice) to one account's devices. */
  readonly sends: number;
  /** Envelopes stored: one per recipient device. */
  readonly envelopes: number;
}

/** The deployment's size, for `admin stats`. */
export interface StoreStats {
  readonly accounts: number;
  readonly disabledAccounts: number;
  readonly devices: number;
  /** Envelopes waiting in all mailboxes, and their ciphertext bytes. */
  readonly envelopes: number;
  readonly envelopeBytes: number;
  readonly files: FileUsage;
  /** The database's own size on disk (the SQLite file with its WAL; PostgreSQL: the schema's tables). */
  readonly databaseBytes: number;
}

/** What deleting an account removed. */
export interface DeletedAccount {
  readonly devices: number;
  readonly envelopes: number;
  /** Ids of its file records, deleted; their bytes are for the caller to delete from the blob store. */
  readonly files: readonly string[];
}

/** The operator's records in the store (SQLite or PostgreSQL). */
export interface AdminRecords {
  /** Every account, by name. */
  listAccounts(): Promise<AccountSummary[]>;
  /** The account's devices, by id; undefined when there is no such account. */
  listDevices(account: string): Promise<DeviceSummary[] | undefined>;
  /** True when the account exists and is disabled. */
  isDisabled(account: string): Promise<boolean>;
  /**
   * Disables (or enables) the account at `at` and records an {@link AccountEvent}; false when there is no
   * such account. Disabling a disabled account keeps its first time and records nothing.
   */
  setDisabled(account: string, disabled: boolean, at: number): Promise<boolean>;
  /**
   * Deletes the account in one transaction: its devices and their keys, its mailboxes, its file records,
   * its contacts and blocks in both directions; records an {@link AccountEvent}. Undefined when there is
   * no such account. The name may be registered again afterwards.
   */
  deleteAccount(account: string, at: number): Promise<DeletedAccount | undefined>;
  /** Events after `afterSeq`, oldest first, at most `limit`. */
  accountEvents(afterSeq: number, limit: number): Promise<AccountEvent[]>;
  /** The seq of the newest event (0 when none): where a node starting now begins to watch. */
  lastAccountEvent(): Promise<number>;

  createInvite(invite: NewInvite): Promise<void>;
  /** Every invite, newest first. */
  listInvites(): Promise<InviteRecord[]>;
  /** Revokes the invite named `id` at `at`; false when there is none, or it was revoked already. */
  revokeInvite(id: string, at: number): Promise<boolean>;
  /** True when the invite hashing to `tokenHash` may be used at `now` (not expired, revoked or used up). */
  inviteUsable(tokenHash: Uint8Array, now: number): Promise<boolean>;
  /**
   * Takes one use of the invite hashing to `tokenHash`, atomically (of registrations racing for its last
   * use, one wins); returns its id, or undefined when it may not be used at `now`.
   */
  useInvite(tokenHash: Uint8Array, now: number): Promise<string | undefined>;
  /** Gives back a use taken by {@link AdminRecords.useInvite} (the registration then failed). */
  releaseInvite(id: string): Promise<void>;

  /** Adds to the counts of `day` (`YYYY-MM-DD`, UTC). */
  addDailyCounts(day: string, sends: number, envelopes: number): Promise<void>;
  /** The counts of the days from `fromDay` on, oldest first (days without messages are absent). */
  dailyCounts(fromDay: string): Promise<DailyCount[]>;

  /** Records this node's status; forgets nodes silent since before `forgetBefore`. */
  reportNode(status: NodeStatus, forgetBefore: number): Promise<void>;
  /** Forgets a node (it stopped). */
  removeNode(node: string): Promise<void>;
  /** Nodes that reported at or after `since`. */
  nodes(since: number): Promise<NodeStatus[]>;

  stats(): Promise<StoreStats>;
}
