/**
 * The group part of the {@link Store} port (ADR 0018): MLS KeyPackages per device, groups with their
 * epoch, routing rosters, the commit log, and the fan-out of commits, Welcomes and messages.
 *
 * A fanned-out payload is stored once (a group body); each recipient device gets an envelope in its
 * mailbox that points at it, so group envelopes share the mailbox order (`seq`), delivery, `ack` and
 * expiry of 1:1 ones. A body goes once its last envelope is gone ({@link GroupRecords.collect}). Every
 * check that decides a write (group, membership, epoch, roster size) is made inside its transaction.
 */
import type { DeviceAddress, StoredEnvelope } from './store.js';

/** What a group envelope carries, as the `envelope` frame's `group` says it. */
export type GroupPayloadKind = 'commit' | 'welcome' | 'message';

/** The group part of a stored envelope (the frame's `group`). */
export interface EnvelopeGroupRef {
  readonly id: Uint8Array;
  readonly kind: GroupPayloadKind;
  /** The epoch a commit or message was sent at; for a Welcome, the epoch it joins. */
  readonly epoch: number;
}

/** One group as stored. */
export interface GroupRecord {
  readonly id: Uint8Array;
  readonly suite: number;
  readonly epoch: number;
  readonly createdAt: number;
}

/** A device's KeyPackage stock of one suite. */
export interface KeyPackageCount {
  /** One-time KeyPackages of the suite left. */
  readonly count: number;
  /** Whether a last-resort KeyPackage is stored. */
  readonly lastResort: boolean;
}

/** The bounds of {@link GroupRecords.addKeyPackages}. */
export interface KeyPackageStoreLimits {
  /** Most one-time KeyPackages per device, all suites together. */
  readonly maxStored: number;
  /** Most suites a device keeps KeyPackages (one-time or last-resort) of. */
  readonly maxSuites: number;
}

/** One KeyPackage handed out by {@link GroupRecords.claimKeyPackages}. */
export interface ClaimedKeyPackage {
  readonly device: DeviceAddress;
  readonly keyPackage: Uint8Array;
  /** True when it is the device's last-resort KeyPackage (the pool was empty). */
  readonly lastResort: boolean;
  /** One-time KeyPackages of the claimed suite the device has left after this claim. */
  readonly remaining: number;
}

/** A commit to apply ({@link GroupRecords.commit}). */
export interface NewCommit {
  readonly groupId: Uint8Array;
  /** The epoch the commit was made at: it must be the group's current one. */
  readonly epoch: number;
  readonly committer: DeviceAddress;
  readonly commit: Uint8Array;
  readonly welcome: Uint8Array | undefined;
  /** Devices put on the roster (never already on it; they must be current devices). */
  readonly added: readonly DeviceAddress[];
  /** Devices taken off the roster (those not on it are ignored). */
  readonly removed: readonly DeviceAddress[];
  /** The envelope id of the commit's envelopes. */
  readonly commitEnvelopeId: Uint8Array;
  /** The envelope id of the Welcome's envelopes. */
  readonly welcomeEnvelopeId: Uint8Array;
  readonly receivedAt: number;
}

/** A group application message to fan out ({@link GroupRecords.send}). */
export interface NewGroupMessage {
  readonly groupId: Uint8Array;
  readonly epoch: number;
  readonly sender: DeviceAddress;
  readonly body: Uint8Array;
  readonly envelopeId: Uint8Array;
  readonly receivedAt: number;
}

/** Why a commit or a message was refused (nothing stored). */
export type GroupRefusal =
  | { readonly ok: false; readonly reason: 'not-found' }
  | { readonly ok: false; readonly reason: 'not-member' }
  | { readonly ok: false; readonly reason: 'stale'; readonly epoch: number }
  | { readonly ok: false; readonly reason: 'too-large' }
  | { readonly ok: false; readonly reason: 'already-member'; readonly device: DeviceAddress }
  | { readonly ok: false; readonly reason: 'unknown-device'; readonly device: DeviceAddress };

/**
 * A stored fan-out: the new epoch (a commit's, else the current one), the envelopes stored (in mailbox
 * order per device) and the recipients skipped because their mailbox was full.
 */
export interface GroupFanout {
  readonly ok: true;
  readonly epoch: number;
  readonly envelopes: readonly StoredEnvelope[];
  readonly skipped: readonly DeviceAddress[];
}

/** One logged commit, with the Welcome when asked for. */
export interface LoggedCommitRecord {
  readonly epoch: number;
  readonly commit: Uint8Array;
  readonly welcome: Uint8Array | undefined;
}

/** What {@link GroupRecords.expire} removed. */
export interface GroupExpiry {
  readonly commits: number;
  readonly groups: number;
}

/** The group records of a store. */
export interface GroupRecords {
  // KeyPackages
  /**
   * Adds one-time KeyPackages of MLS ciphersuite `suite` to the device's pool of that suite and, when
   * given, replaces its last-resort one of that suite, in one transaction. 'full' (nothing added) when the
   * device's one-time KeyPackages of all suites together would exceed `limits.maxStored`; 'suites'
   * (nothing added) when the device would keep KeyPackages of more than `limits.maxSuites` suites;
   * 'unknown-device' when the device is not (or no longer) on its account's list.
   */
  addKeyPackages(
    device: DeviceAddress,
    suite: number,
    keyPackages: readonly Uint8Array[],
    lastResort: Uint8Array | undefined,
    limits: KeyPackageStoreLimits,
  ): Promise<'ok' | 'full' | 'suites' | 'unknown-device'>;
  /** The device's stock of KeyPackages of `suite`. */
  countKeyPackages(device: DeviceAddress, suite: number): Promise<KeyPackageCount>;
  /**
   * Atomically hands out one KeyPackage of `suite` per listed device (in order, each device once): its
   * oldest one-time one of that suite, deleted as it is handed out, else its last-resort one of that
   * suite. Devices with none of that suite are left out. Two claims never get the same one-time
   * KeyPackage, on any node.
   */
  claimKeyPackages(devices: readonly DeviceAddress[], suite: number): Promise<ClaimedKeyPackage[]>;

  // Groups
  /** Creates a group at epoch 0 whose roster is `creator`; false when the id is taken. */
  createGroup(group: GroupRecord, creator: DeviceAddress): Promise<boolean>;
  getGroup(id: Uint8Array): Promise<GroupRecord | undefined>;
  /** The routing roster, sorted by account and device. */
  roster(id: Uint8Array): Promise<DeviceAddress[]>;
  /** The epoch at which `device` joined the group's roster (0 for the creator), if it is on it. */
  joinedEpoch(id: Uint8Array, device: DeviceAddress): Promise<number | undefined>;
  /**
   * Applies a commit in one transaction: only at the current epoch, from a roster device, within
   * `maxDevices`. Logs it, updates the roster, and stores one commit envelope per device of the roster
   * before the commit except the committer and one Welcome envelope per added device (skipping devices
   * whose mailbox holds `maxPerMailbox` envelopes).
   */
  commit(c: NewCommit, maxPerMailbox: number, maxDevices: number): Promise<GroupFanout | GroupRefusal>;
  /**
   * Stores a message once with one envelope per other roster device (skipping full mailboxes), in one
   * transaction, only from a roster device at the current epoch.
   */
  send(m: NewGroupMessage, maxPerMailbox: number): Promise<GroupFanout | GroupRefusal>;
  /**
   * The logged commits sent at epochs `since` and later, oldest first: at most `limit`, and no more once
   * their bytes pass `maxBytes` (at least one). `welcomeAt`: the epoch whose commit's Welcome to include.
   */
  commits(
    id: Uint8Array,
    since: number,
    limit: number,
    maxBytes: number,
    welcomeAt: number | undefined,
  ): Promise<{ commits: LoggedCommitRecord[]; more: boolean }>;
  /** Takes `device` off the roster (the group goes when it was the last); false when it was not on it. */
  leave(id: Uint8Array, device: DeviceAddress): Promise<boolean>;
  /** Groups the device is on the roster of (tests, tools). */
  groupsOf(device: DeviceAddress): Promise<Uint8Array[]>;

  // Housekeeping
  /**
   * Deletes logged commits received before `before`, and groups left without any roster device (their
   * devices were revoked).
   */
  expire(before: number): Promise<GroupExpiry>;
  /** Deletes group bodies no envelope points at any more; returns how many. */
  collect(): Promise<number>;
  /** Group bodies stored, and their bytes (metrics, tests). */
  bodyUsage(): Promise<{ bodies: number; bytes: number }>;
  /** Groups stored (metrics). */
  count(): Promise<number>;
}
