/**
 * Naming a group on the command line: its conversation id `#<32 hex>`, the same 32 hex digits without the
 * `#`, or its name (`team`, also written `#team` as `receive` shows it). Names are not unique — anyone who
 * creates a group chooses one, and a contact may add this account to a group named like another — so a
 * name that matches several groups is refused with the candidates (exit 2), never guessed. Groups are
 * looked up in this device's store (what the last connected command, e.g. `receive`, learnt).
 */
import type { GroupInfo, SottoClient } from '@sotto/client';
import { CliError, EXIT } from './exit-codes.js';

const ID = /^#?[0-9a-fA-F]{32}$/;

/** The groups `ref` names by name: exact matches, else matches ignoring case. */
function byName(groups: readonly GroupInfo[], name: string): GroupInfo[] {
  const exact = groups.filter((g) => g.name === name);
  if (exact.length > 0) return exact;
  const folded = name.normalize('NFC').toLowerCase();
  return groups.filter((g) => g.name.normalize('NFC').toLowerCase() === folded);
}

/**
 * The group of `groups` that `ref` names.
 * @throws CliError GROUP_NOT_FOUND (exit 2) when none does, GROUP_AMBIGUOUS (exit 2, listing the
 *   candidates' ids) when several do.
 */
export function pickGroup(groups: readonly GroupInfo[], ref: string): GroupInfo {
  const text = ref.trim();
  if (ID.test(text)) {
    const id = `#${text.replace(/^#/, '').toLowerCase()}`;
    const hit = groups.find((g) => g.id === id);
    if (hit !== undefined) return hit;
    if (text.startsWith('#')) throw notFound(ref);
  }
  let found = byName(groups, text);
  if (found.length === 0 && text.startsWith('#') && text.length > 1) found = byName(groups, text.slice(1));
  const [only, ...more] = found;
  if (only === undefined) throw notFound(ref);
  if (more.length === 0) return only;
  const list = found.map((g) => `${g.id} (${g.status}, ${g.members.length} members)`).join(', ');
  throw new CliError(
    'GROUP_AMBIGUOUS',
    `"${ref}" names ${found.length} groups: ${list}; give the id instead`,
    EXIT.USAGE,
  );
}

function notFound(ref: string): CliError {
  return new CliError(
    'GROUP_NOT_FOUND',
    `no group "${ref}" on this device (see "sotto groups list"; "sotto receive" picks up groups you were added to)`,
    EXIT.USAGE,
  );
}

/** The group `ref` names among this device's groups; see {@link pickGroup}. */
export async function resolveGroup(client: SottoClient, ref: string): Promise<GroupInfo> {
  return pickGroup(await client.listGroups(), ref);
}

/**
 * Refuses a group this device can no longer send to or change.
 * @throws CliError NOT_A_GROUP_MEMBER (exit 5) for a group it left or was removed from.
 */
export function requireActive(g: GroupInfo, label: string): void {
  if (g.status === 'active') return;
  const why = g.status === 'left' ? 'you left' : 'you were removed from';
  throw new CliError(
    'NOT_A_GROUP_MEMBER',
    `${why} ${label}: nothing can be sent to it or changed in it any more`,
    EXIT.REFUSED,
  );
}
