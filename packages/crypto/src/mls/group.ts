/**
 * The group operations over ts-mls, as pure functions of a state (no I/O; device lists come in through
 * a {@link MemberLookup}). Every result is fully verified before it is returned: the MLS signatures,
 * confirmation and membership tags (ts-mls), every new or changed leaf against the verified device lists,
 * the Sotto metadata, and the admin rules. A caller that gets an error keeps its old state: nothing here
 * mutates a state, so a refused commit or message leaves the group exactly as it was.
 */

import {
  type ClientState,
  createApplicationMessage,
  createCommit,
  createGroup,
  createProposal,
  decodeMlsMessage,
  decodeRequiredCapabilities,
  emptyPskIndex,
  encodeMlsMessage,
  type IncomingMessageCallback,
  joinGroup,
  type KeyPackage,
  type MLSMessage,
  type Proposal,
  type ProposalWithSender,
  processMessage,
} from 'ts-mls';
import { SottoError } from '../errors.js';
import type { CryptoProvider, KeyPair } from '../provider.js';
import { padPlaintext, unpadPlaintext } from '../session/padding.js';
import { groupClientConfig, groupExtensions } from './config.js';
import type { MemberDevice } from './credential.js';
import { decodeKeyPackageMessage, generateMemberKeyPackage, type KeyPackageSecrets } from './key-package.js';
import {
  changedLeaves,
  checkTreeMembers,
  type LeafMember,
  leafMember,
  type MemberAuthService,
  type MemberLookup,
  memberAuthService,
} from './members.js';
import { findGroupMetadata, GROUP_METADATA_EXTENSION, type GroupMetadata } from './metadata.js';
import { type CommitEffects, checkCommitPolicy, commitEffects } from './policy.js';
import { GROUP_SUITE_NAMES, type GroupSuite, groupCiphersuite, groupSuiteOf } from './suite.js';

/** This device as a group member: its name and its signing key pair (`secretKey` is the Ed25519 seed). */
export interface GroupSelf {
  readonly device: MemberDevice;
  readonly signing: KeyPair;
}

/** What every operation needs besides the state. */
export interface GroupDeps {
  readonly p: CryptoProvider;
  readonly suite: GroupSuite;
  readonly lookup: MemberLookup;
}

/** Turns a ts-mls failure into the Sotto error the caller reports. */
function failure(err: unknown, auth?: MemberAuthService): unknown {
  if (auth?.failure !== undefined) return auth.failure;
  if (auth?.refused === true) {
    return new SottoError('GROUP_CREDENTIAL_INVALID', 'group: a member is not a device its account lists');
  }
  if (SottoError.is(err)) return err;
  return new SottoError('MLS_INVALID', 'group: the MLS data does not verify', { cause: err });
}

function withAuth(state: ClientState, auth: MemberAuthService): ClientState {
  return { ...state, clientConfig: groupClientConfig(auth) };
}

/** The epoch of a state, as a number. */
export function stateEpoch(state: ClientState): number {
  return Number(state.groupContext.epoch);
}

/** The group's metadata (MLS_INVALID when it is missing or malformed). */
export function stateMetadata(state: ClientState): GroupMetadata {
  return findGroupMetadata(state.groupContext.extensions);
}

/** This device's leaf index. */
export function ownLeafIndex(state: ClientState): number {
  return state.privatePath.leafIndex;
}

/** Checks that a GroupContext carries the Sotto metadata and requires it of every leaf. */
function checkExtensions(state: ClientState): GroupMetadata {
  const metadata = stateMetadata(state);
  const req = state.groupContext.extensions.filter((e) => e.extensionType === 'required_capabilities');
  const decoded =
    req.length === 1 && req[0] !== undefined
      ? decodeRequiredCapabilities(req[0].extensionData, 0)
      : undefined;
  if (
    decoded === undefined ||
    !decoded[0].extensionTypes.includes(GROUP_METADATA_EXTENSION) ||
    state.groupContext.extensions.length !== 2
  ) {
    throw new SottoError('MLS_INVALID', 'group: the group context is not a Sotto group’s');
  }
  return metadata;
}

/** Creates a group whose only member is this device, at epoch 0. */
export async function createMlsGroup(
  deps: GroupDeps,
  input: { groupId: Uint8Array; self: GroupSelf; metadata: GroupMetadata; now: number },
): Promise<ClientState> {
  const cs = await groupCiphersuite(deps.p, deps.suite);
  const own = await generateMemberKeyPackage(deps.p, {
    device: input.self.device,
    signing: input.self.signing,
    suite: deps.suite,
    now: input.now,
  });
  const kp = decodeKeyPackageMessage(own.bytes);
  const auth = memberAuthService(deps.lookup);
  try {
    return await createGroup(
      input.groupId,
      kp,
      { ...own.secrets, signaturePrivateKey: input.self.signing.secretKey },
      groupExtensions(input.metadata),
      cs,
      groupClientConfig(auth),
    );
  } catch (err) {
    throw failure(err, auth);
  }
}

/** A commit made by this device. */
export interface OwnCommit {
  /** The state once the server accepted the commit (keep the old one until then). */
  readonly state: ClientState;
  readonly commit: Uint8Array;
  /** For added devices; carries the ratchet tree. */
  readonly welcome?: Uint8Array;
  readonly effects: CommitEffects;
}

/**
 * Commits this device's changes (and any proposals pending in the epoch): `add` verified KeyPackages,
 * `remove` leaves, new `metadata`. The admin rules are checked as every other member will check them
 * (NOT_GROUP_ADMIN; `delisted` says which leaves' devices left their owners' lists).
 */
export async function commitMlsChanges(
  deps: GroupDeps,
  state: ClientState,
  changes: {
    add?: readonly KeyPackage[];
    remove?: readonly number[];
    metadata?: GroupMetadata;
    delisted?: (leaf: LeafMember) => boolean;
  },
): Promise<OwnCommit> {
  const cs = await groupCiphersuite(deps.p, deps.suite);
  const proposals: Proposal[] = [
    ...(changes.add ?? []).map((keyPackage): Proposal => ({ proposalType: 'add', add: { keyPackage } })),
    ...(changes.remove ?? []).map((removed): Proposal => ({ proposalType: 'remove', remove: { removed } })),
  ];
  if (changes.metadata !== undefined) {
    proposals.push({
      proposalType: 'group_context_extensions',
      groupContextExtensions: { extensions: groupExtensions(changes.metadata) },
    });
  }
  const self = ownLeafIndex(state);
  const pending: ProposalWithSender[] = Object.values(state.unappliedProposals);
  const withSender = (proposal: Proposal) => ({ proposal, senderLeafIndex: self });
  const effects = commitEffects(state.ratchetTree, self, [...pending, ...proposals.map(withSender)]);
  // ts-mls 1.6.4 encrypts the UpdatePath under the old extensions when a GroupContextExtensions proposal
  // rides with a proposal that needs a path (LukaJCB/ts-mls#742): members could not process it.
  const needsPath = [...pending.map((x) => x.proposal), ...proposals].some(
    (x) => x.proposalType === 'remove' || x.proposalType === 'update',
  );
  if (changes.metadata !== undefined && needsPath) {
    throw new SottoError('INVALID_ARGUMENT', 'group: commit removals and metadata changes separately');
  }
  const auth = memberAuthService(deps.lookup);
  let result: Awaited<ReturnType<typeof createCommit>>;
  try {
    result = await createCommit(
      { state: withAuth(state, auth), cipherSuite: cs },
      { extraProposals: proposals, ratchetTreeExtension: true },
    );
  } catch (err) {
    throw failure(err, auth);
  }
  const after = result.newState;
  checkCommitPolicy({
    before: { tree: state.ratchetTree, metadata: stateMetadata(state) },
    after: { tree: after.ratchetTree, metadata: checkExtensions(after) },
    committer: self,
    effects,
    delisted: changes.delisted ?? (() => false),
  });
  const welcome =
    result.welcome === undefined
      ? undefined
      : encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: result.welcome });
  return {
    state: after,
    commit: encodeMlsMessage(result.commit),
    ...(welcome === undefined ? {} : { welcome }),
    effects,
  };
}

/** Decodes an `MLSMessage` exactly (MLS_INVALID otherwise). */
export function decodeMls(bytes: Uint8Array): MLSMessage {
  let decoded: ReturnType<typeof decodeMlsMessage>;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch {
    decoded = undefined;
  }
  if (decoded === undefined || decoded[1] !== bytes.length || decoded[0].version !== 'mls10') {
    throw new SottoError('MLS_INVALID', 'group: malformed MLS message');
  }
  return decoded[0];
}

/** What a Welcome says in clear: its suite and the KeyPackageRefs it has secrets for. */
export function peekWelcome(bytes: Uint8Array): { suite: GroupSuite; refs: Uint8Array[] } {
  const m = decodeMls(bytes);
  if (m.wireformat !== 'mls_welcome') throw new SottoError('MLS_INVALID', 'group: not a Welcome');
  return { suite: groupSuiteOf(m.welcome.cipherSuite), refs: m.welcome.secrets.map((s) => s.newMember) };
}

/**
 * Joins a group from a Welcome for one of this device's KeyPackages (`keyPackage` is its `MLSMessage`
 * bytes). The whole tree is checked: signatures and hashes (ts-mls), every leaf against the verified
 * device lists (GROUP_CREDENTIAL_INVALID), the Sotto metadata (MLS_INVALID).
 */
export async function joinMlsGroup(
  deps: GroupDeps,
  input: { welcome: Uint8Array; keyPackage: Uint8Array; secrets: KeyPackageSecrets; signingSeed: Uint8Array },
): Promise<ClientState> {
  const m = decodeMls(input.welcome);
  if (m.wireformat !== 'mls_welcome') throw new SottoError('MLS_INVALID', 'group: not a Welcome');
  if (m.welcome.cipherSuite !== GROUP_SUITE_NAMES[deps.suite]) {
    throw new SottoError('MLS_INVALID', 'group: a Welcome of another ciphersuite');
  }
  const cs = await groupCiphersuite(deps.p, deps.suite);
  const auth = memberAuthService(deps.lookup);
  let state: ClientState;
  try {
    state = await joinGroup(
      m.welcome,
      decodeKeyPackageMessage(input.keyPackage),
      { ...input.secrets, signaturePrivateKey: input.signingSeed },
      emptyPskIndex,
      cs,
      undefined,
      undefined,
      groupClientConfig(auth),
    );
    checkExtensions(state);
    await checkTreeMembers(state.ratchetTree, deps.lookup);
  } catch (err) {
    throw failure(err, auth);
  }
  return state;
}

/** Encrypts application content (padded to Sotto's size buckets) for the group. */
export async function encryptMlsMessage(
  deps: Pick<GroupDeps, 'p' | 'suite'>,
  state: ClientState,
  plaintext: Uint8Array,
): Promise<{ state: ClientState; message: Uint8Array }> {
  const cs = await groupCiphersuite(deps.p, deps.suite);
  let r: Awaited<ReturnType<typeof createApplicationMessage>>;
  try {
    r = await createApplicationMessage(state, padPlaintext(plaintext), cs);
  } catch (err) {
    throw failure(err);
  }
  const message = encodeMlsMessage({
    version: 'mls10',
    wireformat: 'mls_private_message',
    privateMessage: r.privateMessage,
  });
  return { state: r.newState, message };
}

/**
 * A proposal to remove this device's own leaf (leaving: MLS does not let a member commit its own removal,
 * so another member commits the proposal). Returns the state with the proposal pending and the message.
 */
export async function proposeMlsSelfRemoval(
  deps: Pick<GroupDeps, 'p' | 'suite'>,
  state: ClientState,
): Promise<{ state: ClientState; message: Uint8Array }> {
  const cs = await groupCiphersuite(deps.p, deps.suite);
  try {
    const r = await createProposal(
      state,
      false,
      { proposalType: 'remove', remove: { removed: ownLeafIndex(state) } },
      cs,
    );
    return { state: r.newState, message: encodeMlsMessage(r.message) };
  } catch (err) {
    throw failure(err);
  }
}

/** What the cleartext header of a group message says (nothing here is authenticated yet). */
export interface MlsHeader {
  readonly groupId: Uint8Array;
  readonly epoch: number;
  readonly contentType: 'application' | 'proposal' | 'commit';
}

/** Reads the cleartext header of an encrypted group message (MLS_INVALID when it is not one). */
export function peekMlsMessage(bytes: Uint8Array): MlsHeader {
  const m = decodeMls(bytes);
  if (m.wireformat !== 'mls_private_message') {
    throw new SottoError('MLS_INVALID', 'group: Sotto groups carry only encrypted MLS messages');
  }
  const pm = m.privateMessage;
  return { groupId: pm.groupId, epoch: Number(pm.epoch), contentType: pm.contentType };
}

/** The outcome of processing a group message. */
export type Processed =
  | {
      readonly kind: 'application';
      readonly state: ClientState;
      readonly plaintext: Uint8Array;
      readonly sender: LeafMember;
    }
  | {
      readonly kind: 'commit';
      readonly state: ClientState;
      readonly committer: LeafMember;
      readonly effects: CommitEffects;
      /** True when this commit removed this device. */
      readonly removedSelf: boolean;
    }
  | { readonly kind: 'proposal'; readonly state: ClientState; readonly proposer: LeafMember };

/**
 * The leaf whose secret-tree node changed: the sender of an application message (of the current epoch,
 * or of a past one whose keys are still kept).
 */
function senderOf(before: ClientState, after: ClientState, epoch: number): LeafMember {
  const past = BigInt(epoch) !== before.groupContext.epoch;
  const was = past ? before.historicalReceiverData.get(BigInt(epoch)) : before;
  const now = past ? after.historicalReceiverData.get(BigInt(epoch)) : after;
  if (was !== undefined && now !== undefined) {
    for (let i = 0; i < now.secretTree.length; i += 2) {
      if (now.secretTree[i] !== was.secretTree[i]) {
        const m = leafMember(was.ratchetTree, i / 2);
        if (m !== undefined) return m;
      }
    }
  }
  throw new SottoError('MLS_INVALID', 'group: no sender');
}

/**
 * Processes one encrypted group message of the current epoch: an application message (returns the
 * unpadded content and its authenticated sender), a proposal (only a member's removal of its own
 * account's devices is accepted: leaving), or a commit (checked against the device lists and the admin
 * rules before it is returned). An application message of a recent past epoch is read too (see
 * RETAINED_EPOCHS). Throws GROUP_COMMIT_MISSING for a later epoch, MLS_INVALID for an earlier one (except
 * that) or anything that does not verify, GROUP_CREDENTIAL_INVALID, NOT_GROUP_ADMIN; the state is unchanged.
 */
export async function processMlsMessage(
  deps: GroupDeps,
  state: ClientState,
  bytes: Uint8Array,
): Promise<Processed> {
  const header = peekMlsMessage(bytes);
  const epoch = stateEpoch(state);
  if (header.epoch > epoch) throw new SottoError('GROUP_COMMIT_MISSING');
  // A past epoch's application message can still be read while its keys are kept (RETAINED_EPOCHS): it
  // was sent before a commit this device already applied from the log. Nothing else of a past epoch is.
  const kept = state.historicalReceiverData.has(BigInt(header.epoch));
  if (header.epoch < epoch && (header.contentType !== 'application' || !kept)) {
    throw new SottoError('MLS_INVALID', 'group: a message of a past epoch');
  }
  const cs = await groupCiphersuite(deps.p, deps.suite);
  const auth = memberAuthService(deps.lookup);
  let commit: { senderLeafIndex: number | undefined; proposals: ProposalWithSender[] } | undefined;
  let proposal: ProposalWithSender | undefined;
  let refusedProposal = false;
  const callback: IncomingMessageCallback = (incoming) => {
    if (incoming.kind === 'commit') {
      commit = { senderLeafIndex: incoming.senderLeafIndex, proposals: incoming.proposals };
      return 'accept';
    }
    proposal = incoming.proposal;
    const p = incoming.proposal;
    const proposer =
      p.senderLeafIndex === undefined ? undefined : leafMember(state.ratchetTree, p.senderLeafIndex);
    const removed =
      p.proposal.proposalType === 'remove'
        ? leafMember(state.ratchetTree, p.proposal.remove.removed)
        : undefined;
    if (proposer === undefined || removed === undefined || removed.account !== proposer.account) {
      refusedProposal = true;
      return 'reject';
    }
    return 'accept';
  };
  let result: Awaited<ReturnType<typeof processMessage>>;
  try {
    result = await processMessage(
      decodeMls(bytes) as never,
      withAuth(state, auth),
      emptyPskIndex,
      callback,
      cs,
    );
  } catch (err) {
    throw failure(err, auth);
  }
  const after = { ...result.newState, clientConfig: state.clientConfig };
  if (result.kind === 'applicationMessage') {
    let plaintext: Uint8Array;
    try {
      plaintext = unpadPlaintext(result.message);
    } catch (cause) {
      throw new SottoError('MLS_INVALID', 'group: bad padding', { cause });
    }
    return { kind: 'application', state: after, plaintext, sender: senderOf(state, after, header.epoch) };
  }
  if (proposal !== undefined) {
    if (refusedProposal) throw new SottoError('NOT_GROUP_ADMIN', 'group: a proposal Sotto does not accept');
    const proposer =
      proposal.senderLeafIndex === undefined
        ? undefined
        : leafMember(state.ratchetTree, proposal.senderLeafIndex);
    if (proposer === undefined) throw new SottoError('MLS_INVALID', 'group: a proposal from no member');
    return { kind: 'proposal', state: after, proposer };
  }
  if (commit?.senderLeafIndex === undefined)
    throw new SottoError('MLS_INVALID', 'group: a commit from no member');
  const committer = leafMember(state.ratchetTree, commit.senderLeafIndex);
  if (committer === undefined) throw new SottoError('MLS_INVALID', 'group: a commit from a blank leaf');
  const effects = commitEffects(state.ratchetTree, commit.senderLeafIndex, commit.proposals);
  const removedSelf = after.groupActiveState.kind === 'removedFromGroup';
  // Which removed leaves' devices left their owners' lists (anyone may remove those).
  const delisted = new Set<number>();
  for (const r of effects.removed) {
    if ((await deps.lookup(r)) === undefined) delisted.add(r.leafIndex);
  }
  try {
    const metadata = removedSelf ? stateMetadata(state) : checkExtensions(after);
    if (!removedSelf)
      await checkTreeMembers(
        after.ratchetTree,
        deps.lookup,
        changedLeaves(state.ratchetTree, after.ratchetTree),
      );
    checkCommitPolicy({
      before: { tree: state.ratchetTree, metadata: stateMetadata(state) },
      after: { tree: after.ratchetTree, metadata },
      committer: commit.senderLeafIndex,
      effects,
      delisted: (leaf) => delisted.has(leaf.leafIndex),
      partial: removedSelf,
    });
  } catch (err) {
    throw failure(err);
  }
  return { kind: 'commit', state: after, committer, effects, removedSelf };
}
