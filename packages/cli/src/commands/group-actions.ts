/**
 * What each `sotto groups` action does (the command line is read in groups.ts). Arguments are checked and
 * the group is looked up in this device's store before connecting, so a bad name or an unknown group is a
 * usage error (exit 2) even offline; the change itself is the SDK's (one MLS commit each).
 */
import type { GroupInfo, SottoClient } from '@sotto/client';
import type { CommandContext } from '../command.js';
import { sottoCode } from '../errors.js';
import { CliError, EXIT, usageError } from '../exit-codes.js';
import { groupTag, nameLabel } from '../group-directory.js';
import { pickGroup, requireActive } from '../group-ref.js';
import { groupDetails, groupJson, groupListLine, memberLines } from '../render-groups.js';
import { connect, withSession } from '../sdk.js';
import { visibleLine as v } from '../visible.js';

/**
 * Checks a group name as the SDK will (1–128 characters, no control characters, no surrounding spaces).
 * @throws SottoError INVALID_ARGUMENT (exit 2).
 */
async function checkName(name: string): Promise<void> {
  const { checkGroupName } = await import('@sotto/crypto');
  checkGroupName(name);
}

/**
 * The accounts named on the command line, normalized, without duplicates.
 * @throws SottoError INVALID_ACCOUNT_NAME (exit 2).
 */
async function accountNames(names: readonly string[]): Promise<string[]> {
  const { normalizeAccountName } = await import('@sotto/protocol');
  return [...new Set(names.map((n) => normalizeAccountName(n)))];
}

/** Prints a group's state after `action`: `line` (and the member lines), or the JSON record. */
function emitGroup(ctx: CommandContext, action: string, g: GroupInfo, line: string, members = true): void {
  const text = members ? [line, ...memberLines(g, '  ')].join('\n') : line;
  ctx.out.emit(text, { type: 'group-info', action, ...groupJson(g) });
}

/** The label of group `g` among this device's groups (`#team`, or with its short id when names clash). */
async function labelOf(client: SottoClient, g: GroupInfo): Promise<string> {
  return groupTag(g, await client.listGroups()).label;
}

/**
 * Runs `work` on group `g`, turning the SDK's refusals into sentences about this group.
 * @throws CliError NOT_GROUP_ADMIN (exit 5, naming the admins) or NOT_A_GROUP_MEMBER (exit 5).
 */
async function explained<T>(
  client: SottoClient,
  g: GroupInfo,
  label: string,
  what: string,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const code = sottoCode(err);
    if (code === 'NOT_GROUP_ADMIN') {
      const now = await client.getGroup(g.id).catch(() => g);
      const admins = now.admins.map((a) => v(a)).join(', ') || 'none';
      throw new CliError(
        'NOT_GROUP_ADMIN',
        `only an admin of ${label} may ${what} (its admins: ${admins}); nothing was changed`,
        EXIT.REFUSED,
        { cause: err },
      );
    }
    if (code === 'NOT_A_GROUP_MEMBER') {
      throw new CliError(
        'NOT_A_GROUP_MEMBER',
        `this device is no longer a member of ${label}; nothing was changed`,
        EXIT.REFUSED,
        { cause: err },
      );
    }
    throw err;
  }
}

/** A group of this device that can be changed: looked up, and active. */
async function activeGroup(client: SottoClient, ref: string): Promise<{ g: GroupInfo; label: string }> {
  const all = await client.listGroups();
  const g = pickGroup(all, ref);
  const label = groupTag(g, all).label;
  requireActive(g, label);
  return { g, label };
}

/** `groups create NAME [--member ACCOUNT]… [--classic]`. */
export async function createAction(
  ctx: CommandContext,
  name: string,
  members: readonly string[],
  classic: boolean,
): Promise<void> {
  await checkName(name);
  const accounts = await accountNames(members);
  await withSession(ctx, async (session) => {
    const { client } = session;
    await connect(session);
    let created: string | undefined;
    const off = client.on('group', (e) => {
      if (e.kind === 'created') created ??= e.id;
    });
    const suite = classic ? 'classic' : 'xwing';
    try {
      const g = await client.createGroup({ name, members: accounts, suite });
      emitGroup(ctx, 'create', g, `created group ${g.id}  ${nameLabel(g.name)} (${g.suite})`);
    } catch (err) {
      // Members that could not be added leave the group created with the others: say which one it is.
      const g = created === undefined ? undefined : await client.getGroup(created).catch(() => undefined);
      if (g !== undefined) {
        emitGroup(ctx, 'create', g, `created group ${g.id}  ${nameLabel(g.name)} (${g.suite}), but:`);
      }
      throw err;
    } finally {
      off();
    }
  });
}

/** `groups list`. */
export async function listAction(ctx: CommandContext): Promise<void> {
  await withSession(ctx, async ({ client }) => {
    const list = await client.listGroups();
    ctx.out.record({ type: 'groups', groups: list.map(groupJson) });
    if (list.length === 0) ctx.out.note('no groups ("sotto groups create NAME" makes one)');
    for (const g of list) ctx.out.text(groupListLine(g));
  });
}

/** `groups show GROUP`. */
export async function showAction(ctx: CommandContext, ref: string): Promise<void> {
  await withSession(ctx, async ({ client }) => {
    const g = pickGroup(await client.listGroups(), ref);
    ctx.out.emit(groupDetails(g), { type: 'group-info', action: 'show', ...groupJson(g) });
  });
}

/** `groups add GROUP ACCOUNT…`. */
export async function addAction(ctx: CommandContext, ref: string, names: readonly string[]): Promise<void> {
  const accounts = await accountNames(names);
  await withSession(ctx, async (session) => {
    const { client } = session;
    const { g, label } = await activeGroup(client, ref);
    const already = accounts.filter((a) => g.members.some((m) => m.account === a));
    await connect(session);
    const after = await explained(client, g, label, 'add members', () =>
      client.addGroupMembers(g.id, accounts),
    );
    if (already.length > 0) ctx.out.note(`already members: ${already.join(', ')}`);
    emitGroup(ctx, 'add', after, `added ${accounts.join(', ')} to ${label}; members now:`);
  });
}

/** `groups remove GROUP ACCOUNT…`. */
export async function removeAction(
  ctx: CommandContext,
  ref: string,
  names: readonly string[],
): Promise<void> {
  const accounts = await accountNames(names);
  await withSession(ctx, async (session) => {
    const { client } = session;
    const me = await client.whoami();
    const { g, label } = await activeGroup(client, ref);
    if (accounts.includes(me.account)) throw usageError(`to leave ${label}, use "sotto groups leave"`);
    const strangers = accounts.filter((a) => !g.members.some((m) => m.account === a));
    if (strangers.length > 0) throw usageError(`not members of ${label}: ${strangers.join(', ')}`);
    await connect(session);
    const after = await explained(client, g, label, 'remove members', () =>
      client.removeGroupMembers(g.id, accounts),
    );
    emitGroup(ctx, 'remove', after, `removed ${accounts.join(', ')} from ${label}; members now:`);
  });
}

/** `groups leave GROUP`. */
export async function leaveAction(ctx: CommandContext, ref: string): Promise<void> {
  await withSession(ctx, async (session) => {
    const { client } = session;
    const { g, label } = await activeGroup(client, ref);
    await connect(session);
    const after = await explained(client, g, label, 'leave', () => client.leaveGroup(g.id));
    emitGroup(ctx, 'leave', after, `left ${label} (its history stays on this device)`, false);
  });
}

/** `groups rename GROUP NAME`. */
export async function renameAction(ctx: CommandContext, ref: string, name: string): Promise<void> {
  await checkName(name);
  await withSession(ctx, async (session) => {
    const { client } = session;
    const { g, label } = await activeGroup(client, ref);
    await connect(session);
    const after = await explained(client, g, label, 'rename it', () => client.renameGroup(g.id, name));
    emitGroup(ctx, 'rename', after, `renamed ${label} to ${await labelOf(client, after)}`, false);
  });
}

/** `groups admin GROUP ACCOUNT [--revoke]`. */
export async function adminAction(
  ctx: CommandContext,
  ref: string,
  name: string,
  admin: boolean,
): Promise<void> {
  const [account = ''] = await accountNames([name]);
  await withSession(ctx, async (session) => {
    const { client } = session;
    const { g, label } = await activeGroup(client, ref);
    if (!g.members.some((m) => m.account === account))
      throw usageError(`${account} is not a member of ${label}`);
    await connect(session);
    const after = await explained(client, g, label, 'change its admins', () =>
      client.setGroupAdmin(g.id, account, admin),
    );
    const now = after.admins.map((a) => v(a)).join(', ');
    const done = admin
      ? `${account} is an admin of ${label}`
      : `${account} is no longer an admin of ${label}`;
    emitGroup(ctx, 'admin', after, `${done}; admins now: ${now}`, false);
  });
}
