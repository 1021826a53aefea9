/**
 * The admin rules every member enforces on every commit (ADR 0018 "Group metadata and admins"), as a pure
 * function of what the commit does:
 * - adding devices of another account, removing devices of another account, renaming and changing the
 *   admins need the committer's account to be an admin;
 * - any member may remove its own account's devices and add its own account's new devices, may commit a
 *   removal the removed device's account proposed itself (leaving), and may remove leaves whose device is
 *   no longer on its owner's verified device list.
 * Who is an admin is derived from the tree, so a group always has one: the accounts the metadata names
 * that still have a device in the group, or, when none has, the account of the member in the lowest leaf
 * (the oldest position in the tree). A departing admin therefore needs no metadata change in the commit
 * that removes it, which matters because ts-mls 1.6.4 cannot combine a GroupContextExtensions proposal
 * with a removal in one commit (LukaJCB/ts-mls#742: the committer encrypts the path under the old
 * extensions). When the admins are set explicitly, the new list names members only.
 * PSK, ReInit and external-init proposals have no place in a Sotto group and are refused (MLS_INVALID).
 */

import type { ProposalWithSender, RatchetTree } from 'ts-mls';
import { SottoError } from '../errors.js';
import { type MemberDevice, parseMemberCredential } from './credential.js';
import { type LeafMember, leafMember, treeMembers } from './members.js';
import { type GroupMetadata, normalizeAdmins } from './metadata.js';

/** What a commit does, read from its proposals against the tree before it. */
export interface CommitEffects {
  readonly added: readonly MemberDevice[];
  /** Removed leaves, with the leaf index of the member that proposed each removal (the committer's own when by value). */
  readonly removed: ReadonlyArray<LeafMember & { readonly proposer: number }>;
  /** True when the commit carries a GroupContextExtensions proposal. */
  readonly extensions: boolean;
}

/** Reads the effects of `proposals` committed by leaf `committer` against `before`. Throws MLS_INVALID. */
export function commitEffects(
  before: RatchetTree,
  committer: number,
  proposals: readonly ProposalWithSender[],
): CommitEffects {
  const added: MemberDevice[] = [];
  const removed: Array<LeafMember & { proposer: number }> = [];
  let extensions = false;
  for (const { proposal, senderLeafIndex } of proposals) {
    const proposer = senderLeafIndex ?? committer;
    switch (proposal.proposalType) {
      case 'add':
        added.push(parseMemberCredential(proposal.add.keyPackage.leafNode.credential));
        break;
      case 'remove': {
        const m = leafMember(before, proposal.remove.removed);
        if (m === undefined) throw new SottoError('MLS_INVALID', 'commit: removes a blank leaf');
        removed.push({ ...m, proposer });
        break;
      }
      case 'group_context_extensions':
        extensions = true;
        break;
      case 'update':
        break; // a member refreshing its own leaf (MLS binds an Update to its sender)
      default:
        throw new SottoError('MLS_INVALID', 'commit: a proposal type Sotto groups do not use');
    }
  }
  return { added, removed, extensions };
}

/**
 * The admins of a group with `members`: the accounts `admins` names that still have a device in it, or,
 * when none has, the account of the member in the lowest leaf (so there is always one while anyone is in).
 */
export function effectiveAdmins(admins: readonly string[], members: readonly LeafMember[]): string[] {
  const accounts = new Set(members.map((m) => m.account));
  const kept = normalizeAdmins(admins.filter((a) => accounts.has(a)));
  if (kept.length > 0 || members.length === 0) return kept;
  const first = [...members].sort((a, b) => a.leafIndex - b.leafIndex)[0];
  return first === undefined ? [] : [first.account];
}

/** Everything {@link checkCommitPolicy} looks at. */
export interface CommitPolicyInput {
  readonly before: { readonly tree: RatchetTree; readonly metadata: GroupMetadata };
  readonly after: { readonly tree: RatchetTree; readonly metadata: GroupMetadata };
  readonly committer: number;
  readonly effects: CommitEffects;
  /** True when the leaf's device is no longer on its owner's verified device list. */
  readonly delisted: (leaf: LeafMember) => boolean;
  /**
   * True when `after` is not fully known (a member the commit removed sees the tree but not the new
   * metadata): only the committer's permissions are checked.
   */
  readonly partial?: boolean;
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Throws NOT_GROUP_ADMIN when the committer may not make this commit, MLS_INVALID when the result breaks
 * the group's invariants (no admin, an admin who is not a member). Returns nothing when it is allowed.
 */
export function checkCommitPolicy(input: CommitPolicyInput): void {
  const { before, after, effects } = input;
  const committer = leafMember(before.tree, input.committer);
  if (committer === undefined) throw new SottoError('MLS_INVALID', 'commit: from a blank leaf');
  const isAdmin = effectiveAdmins(before.metadata.admins, treeMembers(before.tree)).includes(
    committer.account,
  );
  const needAdmin = (): void => {
    if (!isAdmin) throw new SottoError('NOT_GROUP_ADMIN');
  };
  for (const d of effects.added) if (d.account !== committer.account) needAdmin();
  for (const r of effects.removed) {
    const proposer = leafMember(before.tree, r.proposer);
    const ownAccount = r.account === committer.account || r.account === proposer?.account;
    if (!ownAccount && !input.delisted(r)) needAdmin();
  }
  if (input.partial === true) return;
  if (after.metadata.name !== before.metadata.name) needAdmin();
  const admins = normalizeAdmins(after.metadata.admins);
  if (!sameList(admins, normalizeAdmins(before.metadata.admins))) {
    needAdmin();
    const accounts = new Set(treeMembers(after.tree).map((m) => m.account));
    if (admins.length === 0 || !admins.every((a) => accounts.has(a))) {
      throw new SottoError('MLS_INVALID', 'commit: new admins must be members, at least one');
    }
  }
}
