/**
 * Finding a group this device can act in, and the dependencies of its MLS operations.
 */

import { type GroupDeps, type GroupSuite, type MlsState, SottoError } from '@sotto/crypto';
import type { Ctx } from '../context.js';
import { memberLookup } from './lookup.js';
import type { GroupRecord } from './record.js';
import { type LoadedGroup, loadGroup } from './state-store.js';

/** A group this device is an active member of. */
export interface ActiveGroup extends LoadedGroup {
  readonly state: MlsState;
}

/** The MLS dependencies for a group of `suite` (a fresh lookup: device lists refresh once per operation). */
export function groupDeps(ctx: Ctx, suite: GroupSuite): GroupDeps {
  return { p: ctx.p, suite, lookup: memberLookup(ctx) };
}

/** True when `g` is a group this device is active in. */
export function isActive(g: LoadedGroup | undefined): g is ActiveGroup {
  return g !== undefined && g.state !== undefined && g.record.status === 'active';
}

/** The group `hex`, active. Throws GROUP_NOT_FOUND (unknown here) or NOT_A_GROUP_MEMBER (left, removed). */
export async function activeGroup(ctx: Ctx, hex: string): Promise<ActiveGroup> {
  const g = await loadGroup(ctx, hex);
  if (g === undefined) throw new SottoError('GROUP_NOT_FOUND');
  if (!isActive(g))
    throw new SottoError('NOT_A_GROUP_MEMBER', 'This device is no longer a member of the group.');
  return g;
}

/** The record of group `hex` (GROUP_NOT_FOUND when unknown). */
export async function groupRecord(ctx: Ctx, hex: string): Promise<GroupRecord> {
  const g = await loadGroup(ctx, hex);
  if (g === undefined) throw new SottoError('GROUP_NOT_FOUND');
  return g.record;
}
