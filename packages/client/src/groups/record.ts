/**
 * The summary of a group kept next to its MLS state (the `groups` table, key `g/<hex>`): what
 * `listGroups` and `getGroup` show without decoding the ratchet tree. It is written with every new base of
 * the state (a commit, a join), never per message.
 */

import {
  effectiveAdmins,
  type GroupSuite,
  type MlsState,
  stateEpoch,
  stateMetadata,
  treeMembers,
} from '@sotto/crypto';
import { array, bytes, object, oneOf, optional, text, uint } from '@sotto/protocol';
import { decodeRecord, encodeRecord } from '../records.js';
import type { GroupInfo, GroupMember } from '../types.js';

const memberSchema = object({
  account: text({ min: 1, max: 64 }),
  deviceId: uint({ max: 0xffff_ffff }),
  leaf: uint(),
});

const recordSchema = object({
  v: uint({ min: 1, max: 1 }),
  suite: oneOf(['xwing', 'classic'] as const),
  status: oneOf(['active', 'left', 'removed'] as const),
  epoch: uint(),
  name: text({ max: 1024 }),
  admins: array(text({ min: 1, max: 64 }), { max: 256 }),
  members: array(memberSchema, { max: 8192 }),
  joinedAt: uint(),
  /** The account that created the group, or added this device. */
  by: optional(text({ min: 1, max: 64 })),
  /** SHA-256 of the latest commits applied (a duplicate from the log is not a replay). */
  recent: optional(array(bytes({ length: 32 }), { max: 64 })),
});

/** A group's summary. */
export type GroupRecord = ReturnType<typeof recordSchema.check>;

/** Where a group stands for this device. */
export type GroupStatus = GroupRecord['status'];

/** Encodes a summary. */
export function encodeGroupRecord(r: GroupRecord): Uint8Array {
  return encodeRecord(recordSchema, r);
}

/** Decodes a summary (MALFORMED_ENCODING when it does not fit). */
export function decodeGroupRecord(bytes: Uint8Array): GroupRecord {
  return decodeRecord(recordSchema, bytes);
}

/** The summary of `state`, keeping what `base` knew that the state does not say. */
export function recordOf(
  state: MlsState,
  base: {
    suite: GroupSuite;
    status: GroupStatus;
    joinedAt: number;
    by?: string | undefined;
    recent?: Uint8Array[] | undefined;
  },
): GroupRecord {
  const meta = stateMetadata(state);
  const members = treeMembers(state.ratchetTree);
  return {
    v: 1,
    suite: base.suite,
    status: base.status,
    epoch: stateEpoch(state),
    name: meta.name,
    // Who acts as admin now (ADR 0018: named admins still in the group, else the oldest member).
    admins: effectiveAdmins(meta.admins, members),
    members: members.map((m) => ({
      account: m.account,
      deviceId: m.deviceId,
      leaf: m.leafIndex,
    })),
    joinedAt: base.joinedAt,
    ...(base.by === undefined ? {} : { by: base.by }),
    ...(base.recent === undefined ? {} : { recent: base.recent }),
  };
}

/** The accounts of a summary, each with its devices, in order of first leaf. */
export function membersOf(r: GroupRecord): GroupMember[] {
  const by = new Map<string, number[]>();
  for (const m of [...r.members].sort((a, b) => a.leaf - b.leaf)) {
    by.set(m.account, [...(by.get(m.account) ?? []), m.deviceId]);
  }
  return [...by].map(([account, devices]) => ({
    account,
    devices: devices.sort((a, b) => a - b),
    admin: r.admins.includes(account),
  }));
}

/** The public view of a group. */
export function groupInfo(id: string, r: GroupRecord, self: string): GroupInfo {
  return {
    id,
    name: r.name,
    suite: r.suite,
    epoch: r.epoch,
    status: r.status,
    members: membersOf(r),
    admins: [...r.admins],
    admin: r.status === 'active' && r.admins.includes(self),
  };
}
