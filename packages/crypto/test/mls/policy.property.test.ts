import fc from 'fast-check';
import type { RatchetTree } from 'ts-mls';
import { describe, expect, it } from 'vitest';
import {
  type CommitEffects,
  checkCommitPolicy,
  effectiveAdmins,
  type LeafMember,
  memberCredential,
  treeMembers,
} from '../../src/mls/index.js';

/** A tree of leaves only (what the policy reads): `slots[i]` is the device in leaf i, or a blank. */
function tree(slots: ReadonlyArray<{ account: string; deviceId: number } | undefined>): RatchetTree {
  const t: RatchetTree = [];
  slots.forEach((d, i) => {
    t[i * 2] =
      d === undefined
        ? undefined
        : ({
            nodeType: 'leaf',
            leaf: { credential: memberCredential(d), signaturePublicKey: new Uint8Array(32) },
          } as never);
    if (i > 0) t[i * 2 - 1] = undefined;
  });
  return t;
}

const ACCOUNTS = ['ann', 'ben', 'cat', 'dan'];
const slot = fc.option(
  fc.record({ account: fc.constantFrom(...ACCOUNTS), deviceId: fc.integer({ min: 1, max: 2 }) }),
  {
    nil: undefined,
    freq: 4,
  },
);
const uniqueSlots = fc
  .array(slot, { minLength: 2, maxLength: 8 })
  .map((s) =>
    s.map((d, i) =>
      d !== undefined && s.findIndex((e) => e?.account === d.account && e?.deviceId === d.deviceId) === i
        ? d
        : undefined,
    ),
  )
  .filter((s) => s.filter((d) => d !== undefined).length >= 2);

describe('commit policy (admin rules)', () => {
  it('decides like the rules say, for random groups and commits', () => {
    fc.assert(
      fc.property(
        uniqueSlots,
        fc.subarray(ACCOUNTS),
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.array(
          fc.record({ account: fc.constantFrom(...ACCOUNTS), deviceId: fc.integer({ min: 3, max: 4 }) }),
          { maxLength: 2 },
        ),
        fc.boolean(),
        fc.option(fc.subarray(ACCOUNTS, { minLength: 1 }), { nil: undefined, freq: 3 }),
        fc.constantFrom('none', 'removed', 'some'),
        fc.boolean(),
        (slots, admins, pick, removePicks, added, proposed, newAdmins, delistedMode, rename) => {
          const before = tree(slots);
          const members = treeMembers(before);
          const committer = members[pick % members.length] as LeafMember;
          const removed = [
            ...new Set(removePicks.map((r) => members[r % members.length] as LeafMember)),
          ].filter((m) => m.leafIndex !== committer.leafIndex);
          const delisted = new Set(
            (delistedMode === 'none' ? [] : delistedMode === 'removed' ? removed : removed.slice(0, 1)).map(
              (m) => m.leafIndex,
            ),
          );
          const effects: CommitEffects = {
            added,
            removed: removed.map((m) => ({ ...m, proposer: proposed ? m.leafIndex : committer.leafIndex })),
            extensions: newAdmins !== undefined || rename,
          };
          const afterSlots = slots.map((d, i) => (removed.some((m) => m.leafIndex === i) ? undefined : d));
          const after = tree([...afterSlots, ...added]);
          const metaBefore = { name: 'g', admins: admins.length > 0 ? [...admins].sort() : ['ann'] };
          const metaAfter = {
            name: rename ? 'h' : 'g',
            admins: newAdmins === undefined ? metaBefore.admins : [...newAdmins].sort(),
          };
          // The rules, stated plainly.
          const isAdmin = effectiveAdmins(metaBefore.admins, members).includes(committer.account);
          const adminNeeded =
            added.some((d) => d.account !== committer.account) ||
            removed.some((m) => m.account !== committer.account && !proposed && !delisted.has(m.leafIndex)) ||
            rename ||
            metaAfter.admins.join() !== metaBefore.admins.join();
          const afterAccounts = new Set(treeMembers(after).map((m) => m.account));
          const invalidAdmins =
            metaAfter.admins.join() !== metaBefore.admins.join() &&
            !metaAfter.admins.every((a) => afterAccounts.has(a));
          let outcome = 'ok';
          try {
            checkCommitPolicy({
              before: { tree: before, metadata: metaBefore },
              after: { tree: after, metadata: metaAfter },
              committer: committer.leafIndex,
              effects,
              delisted: (l) => delisted.has(l.leafIndex),
            });
          } catch (err) {
            outcome = (err as { code: string }).code;
          }
          const expected = adminNeeded && !isAdmin ? 'NOT_GROUP_ADMIN' : invalidAdmins ? 'MLS_INVALID' : 'ok';
          expect(outcome).toBe(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('always has an admin while anyone is in: the named ones still present, else the lowest leaf', () => {
    const members = treeMembers(
      tree([undefined, { account: 'cat', deviceId: 1 }, { account: 'ben', deviceId: 1 }]),
    );
    expect(effectiveAdmins(['ann'], members)).toEqual(['cat']);
    expect(effectiveAdmins(['ben', 'ann'], members)).toEqual(['ben']);
    expect(effectiveAdmins(['ann'], [])).toEqual([]);
  });
});
