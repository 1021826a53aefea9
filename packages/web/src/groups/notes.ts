/** A group's changes as sentences for its conversation ("alice added bob and carol."). */
import type { GroupNote } from '../lib/group-journal.js';
import type { ListNote } from '../lib/list-note.js';

/** "bob", "bob and carol", "bob, carol and you". */
export function names(accounts: readonly string[], me: string): string {
  const n = accounts.map((a) => (a === me ? 'you' : a));
  if (n.length <= 1) return n[0] ?? '';
  return `${n.slice(0, -1).join(', ')} and ${n[n.length - 1]}`;
}

const subject = (account: string, me: string) => (account === me ? 'You' : account);

/** Starts a sentence: "you" becomes "You"; account names stay as they are spelled. */
const capital = (s: string) => (s.startsWith('you') ? `Y${s.slice(1)}` : s);

/** "bob is now an admin.", "You are no longer an admin." (a leaving admin's place is taken by itself). */
function adminsText(n: GroupNote, me: string): string {
  const parts: string[] = [];
  const say = (list: readonly string[] | undefined, what: string) => {
    if (list === undefined || list.length === 0) return;
    const verb = list.length > 1 || list[0] === me ? 'are' : 'is';
    parts.push(`${capital(names(list, me))} ${verb} ${what} ${list.length === 1 ? 'an admin' : 'admins'}.`);
  };
  say(n.granted, 'now');
  say(n.revoked, 'no longer');
  // Without the admins from before, what changed is not known.
  return parts.length > 0 ? parts.join(' ') : `${subject(n.by, me)} changed the group’s admins.`;
}

function membersText(n: GroupNote, me: string): string {
  const who = subject(n.by, me);
  const added = n.added ?? [];
  const removed = n.removed ?? [];
  const parts: string[] = [];
  if (added.length > 0) parts.push(`${who} added ${names(added, me)}.`);
  if (removed.length === 1 && removed[0] === n.by) parts.push(`${who} left.`);
  else if (removed.length > 0) parts.push(`${who} removed ${names(removed, me)}.`);
  return parts.length > 0 ? parts.join(' ') : 'The devices in the group changed.';
}

/** The sentence for one change, from `me`'s point of view. */
export function noteText(n: GroupNote, me: string): string {
  switch (n.kind) {
    case 'created':
      return `You created the group${n.name === undefined ? '' : ` “${n.name}”`}.`;
    case 'joined':
      return n.by === me || n.by === '' ? 'This device joined the group.' : `${n.by} added you to the group.`;
    case 'members':
      return membersText(n, me);
    case 'renamed':
      return `${subject(n.by, me)} renamed the group${n.name === undefined ? '' : ` to “${n.name}”`}.`;
    case 'admins':
      return adminsText(n, me);
    case 'left':
      return 'You left the group.';
    case 'removed':
      return `${n.by === '' ? 'Someone' : n.by} removed you from the group.`;
  }
}

/** The lines of a group's conversation. */
export function noteLines(notes: readonly GroupNote[], me: string): ListNote[] {
  return notes.map((n) => ({ key: n.key, at: n.at, text: noteText(n, me) }));
}

/** When each account was last added to the group, and last removed from it (or left), by the lines. */
export interface Membership {
  readonly added: ReadonlyMap<string, number>;
  readonly removed: ReadonlyMap<string, number>;
}

/** The {@link Membership} the lines tell. */
export function membership(notes: readonly GroupNote[]): Membership {
  const added = new Map<string, number>();
  const removed = new Map<string, number>();
  for (const n of notes) {
    if (n.kind !== 'members') continue;
    for (const a of n.added ?? []) added.set(a, n.at);
    for (const a of n.removed ?? []) removed.set(a, n.at);
  }
  return { added, removed };
}

/**
 * Who a message sent at `sentAt` was meant for, besides `me`: the members now who were in the group then,
 * those who have left since, and anyone who sent a receipt for it (they received it).
 */
export function recipients(
  sentAt: number,
  members: readonly string[],
  m: Membership,
  receipted: readonly string[],
  me: string,
): string[] {
  const out = new Set(members.filter((a) => (m.added.get(a) ?? 0) <= sentAt));
  for (const [a, at] of m.removed) if (at > sentAt && (m.added.get(a) ?? 0) <= sentAt) out.add(a);
  for (const a of receipted) out.add(a);
  out.delete(me);
  return [...out].sort();
}
