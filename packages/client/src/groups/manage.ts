/**
 * The group operations of the SDK (ADR 0018 "Client (SDK)"): create, list, add and remove members,
 * leave, rename, set admins. Each membership or metadata change is one commit (commit.ts) that every
 * member verifies; the server's roster follows the commit.
 */

import {
  checkGroupName,
  createMlsGroup,
  DEFAULT_GROUP_SUITE,
  fromHex,
  type GroupSuite,
  groupSuiteCode,
  type MlsKeyPackage,
  normalizeAdmins,
  proposeMlsSelfRemoval,
  SottoError,
  stateEpoch,
  stateMetadata,
  toHex,
} from '@sotto/crypto';
import { normalizeAccountName } from '@sotto/protocol';
import { isBlocked, loadContact } from '../contacts.js';
import type { Ctx } from '../context.js';
import { ServerError } from '../transport.js';
import type { GroupInfo } from '../types.js';
import { type ActiveGroup, activeGroup, groupDeps, groupRecord } from './active.js';
import { catchUp } from './catch-up.js';
import { claimKeyPackages, devicesOfAccounts } from './claim.js';
import { commitToGroup } from './commit.js';
import { groupConversation, parseGroupConversation } from './ids.js';
import { type GroupReceiveHooks, releaseHeld } from './receive.js';
import { groupInfo, recordOf } from './record.js';
import { listGroupIds, loadGroup, saveGroup } from './state-store.js';

/** Options of `createGroup`. */
export interface CreateGroupOptions {
  readonly name: string;
  /** Accounts to add (accepted contacts). This account's other devices are added too. */
  readonly members: readonly string[];
  /** Default `xwing`. */
  readonly suite?: GroupSuite;
}

const hexOf = (id: string) => toHex(parseGroupConversation(id));
/** Most devices one commit adds (an X-Wing KeyPackage is ≈ 2.7 KB; ADR 0018 "Large frames"). */
const MAX_ADDS_PER_COMMIT = 200;

function accounts(names: readonly string[]): string[] {
  return [...new Set(names.map(normalizeAccountName))];
}

/** The public view of group `hex`. */
export async function groupView(ctx: Ctx, hex: string): Promise<GroupInfo> {
  return groupInfo(`#${hex}`, await groupRecord(ctx, hex), ctx.profile.account);
}

/** Every group this device knows (active first, then by name). */
export async function listGroupViews(ctx: Ctx): Promise<GroupInfo[]> {
  const out: GroupInfo[] = [];
  for (const hex of await listGroupIds(ctx)) out.push(await groupView(ctx, hex));
  return out.sort(
    (a, b) => Number(b.status === 'active') - Number(a.status === 'active') || a.name.localeCompare(b.name),
  );
}

/**
 * Adds every certified device of `names` that is not in the group yet (this account's own included when
 * named), claiming and verifying one KeyPackage each. Throws NO_KEY_PACKAGES when an account other than
 * this one has no device that can be added, and the refusals of a commit.
 */
async function addAccounts(
  ctx: Ctx,
  hex: string,
  names: readonly string[],
  hooks: GroupReceiveHooks,
): Promise<void> {
  const self = ctx.profile.account;
  const wanted = (await devicesOfAccounts(ctx, names)).filter(
    (d) => !(d.account === self && d.deviceId === ctx.profile.deviceId),
  );
  const claimed = new Map<string, MlsKeyPackage>();
  // At most MAX_ADDS_PER_COMMIT devices per commit (its KeyPackages ride in it): commits until all are in.
  let more = true;
  while (more) {
    more =
      (await commitToGroup(
        ctx,
        hex,
        async (g: ActiveGroup) => {
          const inTree = new Set(g.record.members.map((m) => `${m.account}/${m.deviceId}`));
          const missing = wanted.filter((d) => !inTree.has(`${d.account}/${d.deviceId}`));
          const toClaim = missing.filter((d) => !claimed.has(`${d.account}/${d.deviceId}`));
          if (toClaim.length > 0) {
            for (const [k, v] of await claimKeyPackages(ctx, g.record.suite, toClaim)) claimed.set(k, v);
          }
          for (const name of names) {
            if (name === self) continue;
            const has = (d: { account: string }) => d.account === name;
            const inGroup = g.record.members.some(has);
            const canAdd = missing.some((d) => has(d) && claimed.has(`${d.account}/${d.deviceId}`));
            if (!inGroup && !canAdd)
              throw new SottoError('NO_KEY_PACKAGES', `${name} has no device that can be added now.`);
          }
          const add = missing.flatMap((d) => {
            const kp = claimed.get(`${d.account}/${d.deviceId}`);
            return kp === undefined ? [] : [kp];
          });
          if (add.length === 0) return undefined;
          // An admin who was removed and is now added back is not an admin again: the stale name goes.
          const meta = stateMetadata(g.state);
          const present = new Set(g.record.members.map((m) => m.account));
          const stale = meta.admins.filter((a) => !present.has(a));
          const back = stale.some((a) => missing.some((d) => d.account === a));
          return {
            add: add.slice(0, MAX_ADDS_PER_COMMIT),
            ...(back ? { metadata: { name: meta.name, admins: g.record.admins } } : {}),
          };
        },
        hooks,
      )) !== undefined;
  }
}

/** Refuses names that are not accepted, unblocked contacts (NOT_A_CONTACT, BLOCKED), before anything. */
async function checkContacts(ctx: Ctx, names: readonly string[]): Promise<void> {
  for (const name of names) {
    if (name === ctx.profile.account) continue;
    const c = await loadContact(ctx.store, name);
    if (isBlocked(c)) throw new SottoError('BLOCKED', `${name} is blocked.`);
    if (c.state !== 'accepted') throw new SottoError('NOT_A_CONTACT', `${name} is not an accepted contact.`);
  }
}

/**
 * Creates a group with this device as its first member and admin, then adds this account's other devices
 * and `members`. Throws INVALID_ARGUMENT (name), NOT_A_CONTACT / BLOCKED (nothing created), and the
 * refusals of adding (the group then exists with the members added so far).
 */
export async function createGroup(
  ctx: Ctx,
  options: CreateGroupOptions,
  hooks: GroupReceiveHooks,
): Promise<GroupInfo> {
  const name = checkGroupName(options.name);
  const suite = options.suite ?? DEFAULT_GROUP_SUITE;
  if (suite !== 'xwing' && suite !== 'classic')
    throw new SottoError('INVALID_ARGUMENT', 'suite: xwing or classic');
  const self = ctx.profile.account;
  const members = accounts(options.members).filter((m) => m !== self);
  await checkContacts(ctx, members);
  const groupId = ctx.p.randomBytes(16);
  const hex = toHex(groupId);
  await ctx.request({ t: 'groups.create', groupId, suite: groupSuiteCode(suite) });
  const state = await createMlsGroup(groupDeps(ctx, suite), {
    groupId,
    self: { device: { account: self, deviceId: ctx.profile.deviceId }, signing: ctx.profile.device.signing },
    metadata: { name, admins: [self] },
    now: ctx.clock.now(),
  });
  const record = recordOf(state, { suite, status: 'active', joinedAt: ctx.clock.now(), by: self });
  const save = await saveGroup(ctx, hex, undefined, { record, state });
  await ctx.store.write(save.ops);
  save.done();
  ctx.events.emit('group', { id: groupConversation(groupId), kind: 'created', by: self });
  await addAccounts(ctx, hex, [self, ...members], hooks);
  return groupView(ctx, hex);
}

/** Throws NOT_GROUP_ADMIN unless this account may change others' membership in `g` (checked again by MLS). */
function needAdmin(ctx: Ctx, g: ActiveGroup, names: readonly string[]): void {
  const others = names.some((n) => n !== ctx.profile.account);
  if (others && !g.record.admins.includes(ctx.profile.account)) throw new SottoError('NOT_GROUP_ADMIN');
}

/** Adds `names` (accepted contacts) to group `id`. Needs an admin (NOT_GROUP_ADMIN). */
export async function addMembers(
  ctx: Ctx,
  id: string,
  names: readonly string[],
  hooks: GroupReceiveHooks,
): Promise<GroupInfo> {
  const hex = hexOf(id);
  const list = accounts(names);
  needAdmin(ctx, await activeGroup(ctx, hex), list);
  await checkContacts(ctx, list);
  await addAccounts(ctx, hex, list, hooks);
  return groupView(ctx, hex);
}

/** Removes every device of `names` from group `id`. Needs an admin; use `leaveGroup` for oneself. */
export async function removeMembers(
  ctx: Ctx,
  id: string,
  names: readonly string[],
  hooks: GroupReceiveHooks,
): Promise<GroupInfo> {
  const hex = hexOf(id);
  const list = accounts(names);
  if (list.includes(ctx.profile.account)) {
    throw new SottoError('INVALID_ARGUMENT', 'To leave a group, use leaveGroup.');
  }
  needAdmin(ctx, await activeGroup(ctx, hex), list);
  await commitToGroup(
    ctx,
    hex,
    (g) => {
      const remove = g.record.members.filter((m) => list.includes(m.account)).map((m) => m.leaf);
      return remove.length === 0 ? undefined : { remove };
    },
    hooks,
  );
  return groupView(ctx, hex);
}

/** Renames group `id`. Needs an admin. */
export async function renameGroup(
  ctx: Ctx,
  id: string,
  name: string,
  hooks: GroupReceiveHooks,
): Promise<GroupInfo> {
  const hex = hexOf(id);
  checkGroupName(name);
  await commitToGroup(
    ctx,
    hex,
    (g) => (g.record.name === name ? undefined : { metadata: { name, admins: g.record.admins } }),
    hooks,
  );
  return groupView(ctx, hex);
}

/**
 * Makes `name` an admin of group `id`, or not. Needs an admin. Throws INVALID_ARGUMENT when `name` is not a
 * member, or when the group would be left without an admin.
 */
export async function setAdmin(
  ctx: Ctx,
  id: string,
  name: string,
  admin: boolean,
  hooks: GroupReceiveHooks,
): Promise<GroupInfo> {
  const hex = hexOf(id);
  const account = normalizeAccountName(name);
  await commitToGroup(
    ctx,
    hex,
    (g) => {
      if (!g.record.members.some((m) => m.account === account)) {
        throw new SottoError('INVALID_ARGUMENT', `${account} is not a member of the group.`);
      }
      const admins = normalizeAdmins(
        admin ? [...g.record.admins, account] : g.record.admins.filter((a) => a !== account),
      );
      if (admins.length === 0) throw new SottoError('INVALID_ARGUMENT', 'A group keeps at least one admin.');
      return admins.join() === g.record.admins.join()
        ? undefined
        : { metadata: { name: g.record.name, admins } };
    },
    hooks,
  );
  return groupView(ctx, hex);
}

/**
 * Leaves group `id` with this account: this account's other devices are removed by a commit, this
 * device proposes its own removal (another member commits it; MLS does not let a member commit its own
 * removal) and leaves the server's roster at once. History stays; the group shows as `left`.
 */
export async function leaveGroup(ctx: Ctx, id: string, hooks: GroupReceiveHooks): Promise<GroupInfo> {
  const hex = hexOf(id);
  const self = ctx.profile.account;
  await commitToGroup(
    ctx,
    hex,
    (g) => {
      const remove = g.record.members
        .filter((m) => m.account === self && m.deviceId !== ctx.profile.deviceId)
        .map((m) => m.leaf);
      return remove.length === 0 ? undefined : { remove };
    },
    hooks,
  );
  for (let attempt = 1; ; attempt++) {
    const g = await activeGroup(ctx, hex);
    if (g.record.members.length <= 1) break;
    const p = await proposeMlsSelfRemoval({ p: ctx.p, suite: g.record.suite }, g.state);
    try {
      await ctx.request({
        t: 'groups.send',
        groupId: fromHex(hex),
        epoch: stateEpoch(g.state),
        body: p.message,
      });
      break;
    } catch (err) {
      if (!(err instanceof ServerError && err.code === 'STALE_EPOCH') || attempt >= 5) throw err;
      await catchUp(ctx, hex);
      await releaseHeld(ctx, hex, hooks);
    }
  }
  await ctx.request({ t: 'groups.leave', groupId: fromHex(hex) });
  const g = await loadGroup(ctx, hex);
  if (g !== undefined) {
    const after = { record: { ...g.record, status: 'left' as const }, state: undefined };
    const save = await saveGroup(ctx, hex, g, after);
    await ctx.store.write(save.ops);
    save.done();
  }
  ctx.events.emit('group', { id: groupConversation(fromHex(hex)), kind: 'left', by: self });
  return groupView(ctx, hex);
}
