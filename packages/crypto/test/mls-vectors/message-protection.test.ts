/**
 * message-protection.json: PublicMessage and PrivateMessage framing (RFC 9420 §6) from a sender at leaf 1 of
 * a two-leaf group. ts-mls must unprotect the vector's proposal and commit as PublicMessages (membership tag,
 * signature) and the proposal, commit and application message as PrivateMessages (sender data, secret tree,
 * AEAD, signature), each yielding the vector's content; what ts-mls itself protects with the vector's keys
 * must unprotect to the same content. Tampering must be caught: a flipped ciphertext byte, another
 * membership key, another group epoch.
 */
import type { CiphersuiteImpl, FramedContent, GroupContext } from 'ts-mls';
import { decodeMlsMessage } from 'ts-mls';
import { encodeCommit } from 'ts-mls/commit.js';
import { type CiphersuiteId, getCiphersuiteNameFromId } from 'ts-mls/crypto/ciphersuite.js';
import { defaultKeyRetentionConfig } from 'ts-mls/keyRetentionConfig.js';
import {
  protectApplicationData,
  protectProposal,
  unprotectPrivateMessage,
} from 'ts-mls/messageProtection.js';
import { protectProposalPublic, unprotectPublicMessage } from 'ts-mls/messageProtectionPublic.js';
import { defaultPaddingConfig } from 'ts-mls/paddingConfig.js';
import { decodeProposal, encodeProposal } from 'ts-mls/proposal.js';
import { createSecretTree } from 'ts-mls/secretTree.js';
import { describe } from 'vitest';
import { suiteImpl, testEverySuite } from './suites.js';
import { hex, loadVectors, same, type Verdict } from './vectors.js';

interface MessageProtection {
  readonly cipher_suite: number;
  readonly group_id: string;
  readonly epoch: number;
  readonly tree_hash: string;
  readonly confirmed_transcript_hash: string;
  readonly signature_priv: string;
  readonly signature_pub: string;
  readonly encryption_secret: string;
  readonly sender_data_secret: string;
  readonly membership_key: string;
  readonly proposal: string;
  readonly proposal_priv: string;
  readonly proposal_pub: string;
  readonly commit: string;
  readonly commit_priv: string;
  readonly commit_pub: string;
  readonly application: string;
  readonly application_priv: string;
}

/** The vectors' sender is leaf 1 of a two-leaf tree. */
const SENDER_LEAF = 1;

function groupContext(v: MessageProtection, epoch = BigInt(v.epoch)): GroupContext {
  return {
    version: 'mls10',
    cipherSuite: getCiphersuiteNameFromId(v.cipher_suite as CiphersuiteId),
    groupId: hex(v.group_id),
    epoch,
    treeHash: hex(v.tree_hash),
    confirmedTranscriptHash: hex(v.confirmed_transcript_hash),
    extensions: [],
  };
}

/** What a PublicMessage or PrivateMessage carried, as the bytes the vector lists for it. */
function contentBytes(content: FramedContent): Uint8Array {
  if (content.contentType === 'proposal') return encodeProposal(content.proposal);
  if (content.contentType === 'commit') return encodeCommit(content.commit);
  return content.applicationData;
}

function decodePublic(bytes: string) {
  const m = decodeMlsMessage(hex(bytes), 0)?.[0];
  if (m?.wireformat !== 'mls_public_message') throw new Error('not an MLS PublicMessage');
  return m.publicMessage;
}

function decodePrivate(bytes: Uint8Array) {
  const m = decodeMlsMessage(bytes, 0)?.[0];
  if (m?.wireformat !== 'mls_private_message') throw new Error('not an MLS PrivateMessage');
  return m.privateMessage;
}

async function openPrivate(
  v: MessageProtection,
  impl: CiphersuiteImpl,
  message: ReturnType<typeof decodePrivate>,
) {
  const tree = await createSecretTree(2, hex(v.encryption_secret), impl.kdf);
  const result = await unprotectPrivateMessage(
    hex(v.sender_data_secret),
    message,
    tree,
    [],
    groupContext(v),
    defaultKeyRetentionConfig,
    impl,
    hex(v.signature_pub),
  );
  return contentBytes(result.content.content);
}

const refused = (p: Promise<unknown>): Promise<boolean> =>
  p.then(
    () => false,
    () => true,
  );

async function check(v: MessageProtection): Promise<Verdict[]> {
  const impl = await suiteImpl(v.cipher_suite);
  const gc = groupContext(v);
  const out: Verdict[] = [];
  const openPublic = async (bytes: string, membershipKey = hex(v.membership_key), context = gc) => {
    const r = await unprotectPublicMessage(
      membershipKey,
      context,
      [],
      decodePublic(bytes),
      impl,
      hex(v.signature_pub),
    );
    return contentBytes(r.content);
  };

  out.push(same('proposal_pub', await openPublic(v.proposal_pub), hex(v.proposal)));
  out.push(same('commit_pub', await openPublic(v.commit_pub), hex(v.commit)));
  out.push(
    same('proposal_priv', await openPrivate(v, impl, decodePrivate(hex(v.proposal_priv))), hex(v.proposal)),
  );
  out.push(same('commit_priv', await openPrivate(v, impl, decodePrivate(hex(v.commit_priv))), hex(v.commit)));
  out.push(
    same(
      'application_priv',
      await openPrivate(v, impl, decodePrivate(hex(v.application_priv))),
      hex(v.application),
    ),
  );

  // What ts-mls protects with the vector's keys opens again to the vector's content.
  const proposal = decodeProposal(hex(v.proposal), 0)?.[0];
  if (proposal === undefined) return [...out, 'proposal does not decode'];
  const tree = () => createSecretTree(2, hex(v.encryption_secret), impl.kdf);
  const [signKey, senderData] = [hex(v.signature_priv), hex(v.sender_data_secret)];
  const app = await protectApplicationData(
    signKey,
    senderData,
    hex(v.application),
    new Uint8Array(),
    gc,
    await tree(),
    SENDER_LEAF,
    defaultPaddingConfig,
    impl,
  );
  out.push(
    same('application round trip', await openPrivate(v, impl, app.privateMessage), hex(v.application)),
  );
  const prop = await protectProposal(
    signKey,
    senderData,
    proposal,
    new Uint8Array(),
    gc,
    await tree(),
    SENDER_LEAF,
    defaultPaddingConfig,
    impl,
  );
  out.push(
    same('private proposal round trip', await openPrivate(v, impl, prop.privateMessage), hex(v.proposal)),
  );
  const pub = await protectProposalPublic(
    signKey,
    hex(v.membership_key),
    gc,
    new Uint8Array(),
    proposal,
    SENDER_LEAF,
    impl,
  );
  const reopened = await unprotectPublicMessage(
    hex(v.membership_key),
    gc,
    [],
    pub.publicMessage,
    impl,
    hex(v.signature_pub),
  );
  out.push(same('public proposal round trip', contentBytes(reopened.content), hex(v.proposal)));

  // Tampering.
  const flipped = hex(v.application_priv);
  flipped[flipped.length - 1] = (flipped.at(-1) ?? 0) ^ 0x01;
  out.push(
    (await refused(openPrivate(v, impl, decodePrivate(flipped)))) || 'a flipped ciphertext byte was accepted',
  );
  const otherKey = hex(v.membership_key);
  otherKey[0] = (otherKey[0] ?? 0) ^ 0x80;
  out.push((await refused(openPublic(v.proposal_pub, otherKey))) || 'another membership key was accepted');
  const otherEpoch = groupContext(v, BigInt(v.epoch) + 1n);
  out.push(
    (await refused(openPublic(v.commit_pub, hex(v.membership_key), otherEpoch))) ||
      'another epoch was accepted',
  );
  return out;
}

describe('MLS message-protection.json on ts-mls', () => {
  testEverySuite(loadVectors<MessageProtection>('message-protection.json'), {
    suites: [1, 2, 5, 7],
    unavailable: [3, 4, 6],
    casesPerSuite: 1,
    check,
  });
});
