/**
 * Groups (ADR 0018): the server is the MLS delivery service. It orders each group's commits (one per
 * epoch, checked inside the store's transaction), keeps the routing roster, and fans commits, Welcomes
 * and messages out as envelopes stored once per payload, durably before the answer; then it signals the
 * recipients' devices over the bus exactly as the relay does for 1:1 envelopes, so connected devices get
 * them pushed on any node and the others on reconnect. The roster is routing data: members verify the MLS
 * tree, which decides membership.
 */
import type { DeviceAddress, FrameOf } from '@sotto/protocol';
import { type Bus, deviceKey } from '../../bus/bus.js';
import type { Clock } from '../../clock.js';
import { ApiError } from '../../errors.js';
import type { GroupFanout, GroupRefusal } from '../../store/group-records.js';
import type { Store } from '../../store/store.js';
import { EnvelopeIds } from '../relay/envelope-ids.js';
import { addressKey, checkReachable } from './contact-policy.js';
import type { GroupMetrics } from './group-metrics.js';

/** The limits groups enforce. */
export interface GroupLimits {
  readonly maxGroupDevices: number;
  readonly mailboxMaxEnvelopes: number;
  readonly mailboxMaxAgeMs: number;
  readonly maxGroupFrameBytes: number;
  readonly groupCommitsPerPage: number;
}

/** Room left in a `groups.commits.result` frame for everything but the commits' bytes. */
const PAGE_OVERHEAD_BYTES = 64 * 1024;

/** Creation, commits, messages, the commit log and leaving. */
export class GroupsService {
  private readonly ids = new EnvelopeIds();
  private lastStamp = 0;

  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly clock: Clock,
    private readonly metrics: GroupMetrics,
    private readonly limits: GroupLimits,
  ) {}

  /** Creates group `id` at epoch 0 with `device` as its only roster member. Throws GROUP_EXISTS. */
  async create(device: DeviceAddress, id: Uint8Array, suite: number): Promise<void> {
    const created = await this.store.groups.createGroup(
      { id, suite, epoch: 0, createdAt: this.stamp() },
      device,
    );
    if (!created) throw new ApiError('GROUP_EXISTS');
    this.metrics.groupsCreated.inc();
  }

  /**
   * Applies `device`'s commit (see `groups.commit` in docs/protocol.md §2.4) and fans it out; resolves once
   * it is durable. Throws INVALID_ARGUMENT, GROUP_TOO_LARGE, ACCOUNT_NOT_FOUND, BLOCKED, NOT_A_CONTACT,
   * DEVICE_NOT_FOUND, GROUP_NOT_FOUND, NOT_A_GROUP_MEMBER or STALE_EPOCH (with the current epoch).
   */
  async commit(device: DeviceAddress, f: FrameOf<'groups.commit'>): Promise<FrameOf<'groups.commit.result'>> {
    if ((f.welcome === undefined) !== (f.added.length === 0)) {
      throw new ApiError('INVALID_ARGUMENT', 'A commit carries a Welcome exactly when it adds devices.');
    }
    const added = new Set(f.added.map(addressKey));
    const removed = new Set(f.removed.map(addressKey));
    if (added.size !== f.added.length || removed.size !== f.removed.length) {
      throw new ApiError('INVALID_ARGUMENT', 'A device is listed twice.');
    }
    if ([...added].some((k) => removed.has(k))) {
      throw new ApiError('INVALID_ARGUMENT', 'A device cannot be added and removed by one commit.');
    }
    if (f.added.length > this.limits.maxGroupDevices) throw this.tooLarge();
    await checkReachable(
      this.store,
      device.account,
      f.added.map((d) => d.account),
    );
    const receivedAt = this.stamp();
    const result = await this.store.groups.commit(
      {
        groupId: f.groupId,
        epoch: f.epoch,
        committer: device,
        commit: f.commit,
        welcome: f.welcome,
        added: f.added,
        removed: f.removed,
        commitEnvelopeId: this.ids.next(),
        welcomeEnvelopeId: this.ids.next(),
        receivedAt,
      },
      this.limits.mailboxMaxEnvelopes,
      this.limits.maxGroupDevices,
    );
    const stored = this.delivered(result);
    this.metrics.commits.inc();
    return { t: 'groups.commit.result', id: f.id, epoch: stored.epoch, serverTime: receivedAt };
  }

  /**
   * Stores `device`'s message once for every other roster device and signals them; resolves once it is
   * durable. Throws GROUP_NOT_FOUND, NOT_A_GROUP_MEMBER or STALE_EPOCH (with the current epoch).
   */
  async send(device: DeviceAddress, f: FrameOf<'groups.send'>): Promise<FrameOf<'groups.sent'>> {
    const envelopeId = this.ids.next();
    const receivedAt = this.stamp();
    const result = await this.store.groups.send(
      { groupId: f.groupId, epoch: f.epoch, sender: device, body: f.body, envelopeId, receivedAt },
      this.limits.mailboxMaxEnvelopes,
    );
    this.delivered(result);
    this.metrics.messages.inc();
    return { t: 'groups.sent', id: f.id, envelopeId, serverTime: receivedAt };
  }

  /**
   * The logged commits from epoch `since` on for a roster device, from the commit that added it on, with
   * that commit's Welcome. Throws GROUP_NOT_FOUND or NOT_A_GROUP_MEMBER.
   */
  async commits(
    device: DeviceAddress,
    f: FrameOf<'groups.commits'>,
  ): Promise<FrameOf<'groups.commits.result'>> {
    const joined = await this.store.groups.joinedEpoch(f.groupId, device);
    if (joined === undefined) throw await this.notOnRoster(f.groupId);
    const addedAt = joined > 0 ? joined - 1 : undefined;
    const since = Math.max(f.since, addedAt ?? 0);
    const limit = Math.min(f.limit ?? this.limits.groupCommitsPerPage, this.limits.groupCommitsPerPage);
    const maxBytes = Math.max(1, this.limits.maxGroupFrameBytes - PAGE_OVERHEAD_BYTES);
    const page = await this.store.groups.commits(f.groupId, since, limit, maxBytes, addedAt);
    const commits = page.commits.map((c) =>
      c.welcome === undefined ? { epoch: c.epoch, commit: c.commit } : { ...c, welcome: c.welcome },
    );
    return { t: 'groups.commits.result', id: f.id, commits, more: page.more };
  }

  /** Takes `device` off the roster. Throws GROUP_NOT_FOUND or NOT_A_GROUP_MEMBER. */
  async leave(device: DeviceAddress, groupId: Uint8Array): Promise<void> {
    if (!(await this.store.groups.leave(groupId, device))) throw await this.notOnRoster(groupId);
  }

  /**
   * Housekeeping (every `expirySweepMs`): deletes logged commits older than the mailbox age and groups left
   * without devices, then group bodies no envelope points at. Returns how many bodies went.
   */
  async sweep(): Promise<number> {
    await this.store.groups.expire(this.clock.now() - this.limits.mailboxMaxAgeMs);
    const n = await this.store.groups.collect();
    this.metrics.bodiesCollected.inc({}, n);
    return n;
  }

  /** The stored fan-out of an accepted write, signalled to its recipients; a refusal becomes its error. */
  private delivered(result: GroupFanout | GroupRefusal): GroupFanout {
    if (!result.ok) throw this.refusal(result);
    for (const e of result.envelopes) {
      const { account, deviceId } = e.recipient;
      this.bus.publish('mail', deviceKey(account, deviceId), { account, deviceId, envelopes: [e] });
    }
    this.metrics.envelopes.inc({}, result.envelopes.length);
    if (result.skipped.length > 0) this.metrics.skipped.inc({}, result.skipped.length);
    return result;
  }

  private refusal(r: GroupRefusal): ApiError {
    switch (r.reason) {
      case 'not-found':
        return new ApiError('GROUP_NOT_FOUND');
      case 'not-member':
        return new ApiError('NOT_A_GROUP_MEMBER');
      case 'stale':
        return new ApiError('STALE_EPOCH', `The group is at epoch ${r.epoch}.`, undefined, r.epoch);
      case 'too-large':
        return this.tooLarge();
      case 'already-member':
        return new ApiError('INVALID_ARGUMENT', `${addressKey(r.device)} is in the group already.`);
      case 'unknown-device':
        return new ApiError('DEVICE_NOT_FOUND', `${addressKey(r.device)} is not a current device.`);
    }
  }

  private tooLarge(): ApiError {
    return new ApiError('GROUP_TOO_LARGE', `A group has at most ${this.limits.maxGroupDevices} devices.`);
  }

  /** GROUP_NOT_FOUND when the group does not exist, else NOT_A_GROUP_MEMBER. */
  private async notOnRoster(groupId: Uint8Array): Promise<ApiError> {
    return (await this.store.groups.getGroup(groupId)) === undefined
      ? new ApiError('GROUP_NOT_FOUND')
      : new ApiError('NOT_A_GROUP_MEMBER');
  }

  /** The receive time: the clock, never before the previous stamp (as the relay's). */
  private stamp(): number {
    const now = this.clock.now();
    if (now > this.lastStamp) this.lastStamp = now;
    return this.lastStamp;
  }
}
