/**
 * Who is in a group, and whether each leaf is a device its account vouches for (ADR 0018 "a leaf is a
 * device, bound to the identity-signed device list"). The check is pure: the caller supplies a lookup that
 * answers from verified device lists (the SDK fetches and verifies them; this module does no I/O).
 */

import type { AuthenticationService, Credential, RatchetTree } from 'ts-mls';
import { equalBytes } from '../bytes.js';
import { SottoError } from '../errors.js';
import { type MemberDevice, parseMemberCredential } from './credential.js';

/** A leaf of the tree: the device it names and its signature key. */
export interface LeafMember extends MemberDevice {
  readonly leafIndex: number;
  readonly signatureKey: Uint8Array;
}

/**
 * The signing key the account's current verified device list names for `device`, or undefined when the
 * device is not on it (or the list cannot be verified).
 */
export type MemberLookup = (device: MemberDevice) => Promise<Uint8Array | undefined>;

/** The leaf at `leafIndex`, or undefined when it is blank. Throws GROUP_CREDENTIAL_INVALID for a foreign credential. */
export function leafMember(tree: RatchetTree, leafIndex: number): LeafMember | undefined {
  const node = tree[leafIndex * 2];
  if (node?.nodeType !== 'leaf') return undefined;
  return {
    ...parseMemberCredential(node.leaf.credential),
    leafIndex,
    signatureKey: node.leaf.signaturePublicKey,
  };
}

/** Every non-blank leaf, by leaf index. Throws GROUP_CREDENTIAL_INVALID for a foreign credential. */
export function treeMembers(tree: RatchetTree): LeafMember[] {
  const out: LeafMember[] = [];
  for (let i = 0; i * 2 < tree.length; i++) {
    const m = leafMember(tree, i);
    if (m !== undefined) out.push(m);
  }
  return out;
}

/** True when `m`'s device is listed with exactly its signature key. */
async function listed(
  lookup: MemberLookup,
  m: MemberDevice & { signatureKey: Uint8Array },
): Promise<boolean> {
  const key = await lookup({ account: m.account, deviceId: m.deviceId });
  return key !== undefined && equalBytes(key, m.signatureKey);
}

/**
 * Checks leaves of `tree` (all of them, or only `leafIndices`): each names a Sotto device, the device is
 * on its account's verified list with the leaf's signature key, and no device has two leaves. Throws
 * GROUP_CREDENTIAL_INVALID otherwise.
 */
export async function checkTreeMembers(
  tree: RatchetTree,
  lookup: MemberLookup,
  leafIndices?: readonly number[],
): Promise<void> {
  const all = treeMembers(tree);
  const seen = new Set<string>();
  for (const m of all) {
    const key = `${m.account}/${m.deviceId}`;
    if (seen.has(key)) throw new SottoError('GROUP_CREDENTIAL_INVALID', 'group: a device has two leaves');
    seen.add(key);
  }
  const wanted = leafIndices === undefined ? all : all.filter((m) => leafIndices.includes(m.leafIndex));
  for (const m of wanted) {
    if (!(await listed(lookup, m))) {
      throw new SottoError('GROUP_CREDENTIAL_INVALID', 'group: a leaf is not a device on its account’s list');
    }
  }
}

/** The leaves of `after` that are new or changed since `before` (reference comparison, O(n)). */
export function changedLeaves(before: RatchetTree, after: RatchetTree): number[] {
  const out: number[] = [];
  for (let i = 0; i * 2 < after.length; i++) {
    const a = after[i * 2];
    if (a?.nodeType === 'leaf' && a !== before[i * 2]) out.push(i);
  }
  return out;
}

/** An authentication service that remembers why it said no. */
export interface MemberAuthService extends AuthenticationService {
  /** True once a credential was refused: report GROUP_CREDENTIAL_INVALID. */
  refused: boolean;
  /** What the lookup threw (e.g. offline): the decision is unknown, try again later. */
  failure: unknown;
}

/**
 * An MLS authentication service (RFC 9420 §5.3.1) over `lookup`: a credential is valid when it names a
 * device listed with that signature key. ts-mls consults it for every added KeyPackage, every committer's
 * new leaf and every leaf of a Welcome's tree. `refused` and `failure` let the caller report
 * GROUP_CREDENTIAL_INVALID, or the lookup's own error, rather than a generic MLS failure.
 */
export function memberAuthService(lookup: MemberLookup): MemberAuthService {
  const service: MemberAuthService = {
    refused: false,
    failure: undefined,
    async validateCredential(credential: Credential, signaturePublicKey: Uint8Array): Promise<boolean> {
      let device: MemberDevice;
      try {
        device = parseMemberCredential(credential);
      } catch {
        service.refused = true;
        return false;
      }
      try {
        if (await listed(lookup, { ...device, signatureKey: signaturePublicKey })) return true;
        service.refused = true;
      } catch (err) {
        service.failure ??= err;
      }
      return false;
    },
  };
  return service;
}
