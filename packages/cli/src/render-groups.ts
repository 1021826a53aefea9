/**
 * The stable JSON shapes and human lines of groups: a group's state (`groups list|show` and the result of
 * every `groups` action) and the group events `receive` and `chat` print. Names come from the network
 * and are shown through visible.ts (labels: group-directory.ts).
 */
import type { ClientErrorEvent, GroupEvent, GroupInfo } from '@sotto/client';
import { type GroupTag, groupRef, nameLabel } from './group-directory.js';
import type { Rendered } from './render.js';
import { visibleLine as v } from './visible.js';

/** The JSON of a group's state. */
export function groupJson(g: GroupInfo): Record<string, unknown> {
  return {
    id: g.id,
    name: g.name,
    suite: g.suite,
    epoch: g.epoch,
    status: g.status,
    admin: g.admin,
    admins: [...g.admins],
    members: g.members.map((m) => ({ account: m.account, devices: [...m.devices], admin: m.admin })),
  };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** One line of `groups list`: id, name, members, status, and whether this account is an admin. */
export function groupListLine(g: GroupInfo): string {
  const members = plural(g.members.length, 'member', 'members');
  return `${g.id}  ${nameLabel(g.name).padEnd(20)}  ${members.padEnd(11)}  ${g.status}${g.admin ? '  admin' : ''}`;
}

const SUITES: Readonly<Record<GroupInfo['suite'], string>> = {
  xwing: 'xwing (post-quantum hybrid: X-Wing, AES-256-GCM, Ed25519)',
  classic: 'classic (X25519, AES-128-GCM, Ed25519)',
};

/** The member lines of a group: each account with its devices, admins marked. */
export function memberLines(g: GroupInfo, indent: string): string[] {
  const width = Math.max(0, ...g.members.map((m) => v(m.account).length));
  return g.members.map((m) => {
    const devices = `${m.devices.length === 1 ? 'device' : 'devices'} ${m.devices.join(', ')}`;
    return `${indent}${v(m.account).padEnd(width)}  ${devices}${m.admin ? '  admin' : ''}`;
  });
}

/** The lines of `groups show` (and of the actions' results): state, suite, epoch, admins, members. */
export function groupDetails(g: GroupInfo): string {
  const status =
    g.status === 'active'
      ? `active${g.admin ? ' (you are an admin)' : ''}`
      : g.status === 'left'
        ? 'left (history kept; nothing is sent or received)'
        : 'removed (history kept; nothing is sent or received)';
  return [
    `${g.id}  ${nameLabel(g.name)}`,
    `  status   ${status}`,
    `  suite    ${SUITES[g.suite]}`,
    `  epoch    ${g.epoch}`,
    `  admins   ${g.admins.map((a) => v(a)).join(', ') || '(none)'}`,
    `  members  ${g.members.length}`,
    ...memberLines(g, '    '),
  ].join('\n');
}

/** What a group event says, for people (the tag carries the group's current name). */
function eventText(e: GroupEvent, info: GroupInfo | undefined): string {
  const by = v(e.by);
  switch (e.kind) {
    case 'created':
      return 'you created the group';
    case 'joined':
      return `you were added to the group by ${by}`;
    case 'members': {
      const changes = [
        ...(e.added ?? []).map((a) => `+${v(a)}`),
        ...(e.removed ?? []).map((a) => `-${v(a)}`),
      ];
      return changes.length === 0
        ? `member devices changed (by ${by})`
        : `members ${changes.join(' ')} (by ${by})`;
    }
    case 'renamed':
      return `${by} renamed the group${info === undefined ? '' : ` to ${nameLabel(info.name)}`}`;
    case 'admins':
      return `admins now ${info === undefined ? '?' : info.admins.map((a) => v(a)).join(', ')} (by ${by})`;
    case 'left':
      return 'you left the group';
    case 'removed':
      return `you were removed from the group by ${by}`;
  }
}

/**
 * A group event: `• [#team] members +carol (by alice)`; JSON `{"type":"group","kind","group":{"id","name"},
 * "by","added"?,"removed"?,"admins"?}` (`admins` with kind `admins`: the admins now).
 */
export function renderGroupEvent(e: GroupEvent, tag: GroupTag, info: GroupInfo | undefined): Rendered {
  return {
    json: {
      type: 'group',
      kind: e.kind,
      group: groupRef(tag),
      by: e.by,
      ...(e.added === undefined ? {} : { added: [...e.added] }),
      ...(e.removed === undefined ? {} : { removed: [...e.removed] }),
      ...(e.kind === 'admins' && info !== undefined ? { admins: [...info.admins] } : {}),
    },
    line: `• [${tag.label}] ${eventText(e, info)}`,
  };
}

/**
 * An `error` event of the client: `{type: 'error', code, message}` and, when it is about a group (`tag`),
 * its `group`; the line names the group like a group message does (`! [#team] … [MLS_INVALID]`).
 */
export function renderClientError(e: ClientErrorEvent, tag: GroupTag | undefined): Rendered {
  return {
    json: {
      type: 'error',
      code: e.code,
      message: e.message,
      ...(tag === undefined ? {} : { group: groupRef(tag) }),
    },
    line: `! ${tag === undefined ? '' : `[${tag.label}] `}${v(e.message)} [${v(e.code)}]`,
  };
}
