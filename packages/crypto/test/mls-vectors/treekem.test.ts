/**
 * treekem.json (leading subset, see fixtures/mls/SOURCE): TreeKEM (RFC 9420 §7). The ratchet tree must
 * decode and carry valid parent hashes; each member's encryption key must match its leaf and
 * each listed path secret must derive the public key of its node. For every UpdatePath: merging it gives
 * tree_hash_after, and every other member decrypts the path secret the vector lists for it and derives the
 * commit secret; another epoch in the GroupContext (the HPKE context) must make that decryption fail.
 *
 * The vectors list every node of the tree, including blank nodes after the last non-blank one, which the
 * ratchet_tree extension must not carry (RFC 9420 §12.4.3.3) and ts-mls's decoder rightly refuses. So the
 * test reads the node list, checks that the strict decoder refuses exactly the trees with trailing blanks,
 * and works on the same tree without them (re-extended to full size, as §12.4.3.3 prescribes).
 */
import type { CiphersuiteImpl, GroupContext } from 'ts-mls';
import { decodeOptional } from 'ts-mls/codec/optional.js';
import { decodeVarLenType } from 'ts-mls/codec/variableLength.js';
import { applyUpdatePathSecret } from 'ts-mls/createCommit.js';
import { type CiphersuiteId, getCiphersuiteNameFromId } from 'ts-mls/crypto/ciphersuite.js';
import { deriveSecret } from 'ts-mls/crypto/kdf.js';
import { verifyParentHashes } from 'ts-mls/parentHash.js';
import { getCommitSecret } from 'ts-mls/pathSecrets.js';
import { type PrivateKeyPath, toPrivateKeyPath } from 'ts-mls/privateKeyPath.js';
import {
  decodeNode,
  decodeRatchetTree,
  encodeRatchetTree,
  extendRatchetTree,
  getHpkePublicKey,
  stripBlankNodes,
} from 'ts-mls/ratchetTree.js';
import { treeHashRoot } from 'ts-mls/treeHash.js';
import { leafToNodeIndex, toLeafIndex } from 'ts-mls/treemath.js';
import { applyUpdatePath, decodeUpdatePath } from 'ts-mls/updatePath.js';
import { describe } from 'vitest';
import { utf8 } from '../../src/bytes.js';
import { suiteImpl, testEverySuite } from './suites.js';
import { hex, loadVectors, same, type Verdict } from './vectors.js';

interface LeafPrivate {
  readonly index: number;
  readonly encryption_priv: string;
  readonly signature_priv: string;
  readonly path_secrets: readonly { node: number; path_secret: string }[];
}

interface UpdatePathCase {
  readonly sender: number;
  readonly update_path: string;
  readonly path_secrets: readonly (string | null)[];
  readonly commit_secret: string;
  readonly tree_hash_after: string;
}

interface TreeKemVector {
  readonly cipher_suite: number;
  readonly group_id: string;
  readonly epoch: number;
  readonly confirmed_transcript_hash: string;
  readonly ratchet_tree: string;
  readonly leaves_private: readonly LeafPrivate[];
  readonly update_paths: readonly UpdatePathCase[];
}

/** `optional<Node> ratchet_tree<V>` as listed, blank nodes included. */
const decodeNodeList = decodeVarLenType(decodeOptional(decodeNode));

/** Whether HPKE to `publicKey` opens with `privateKey` (the Hpke interface cannot derive a public key). */
async function keysMatch(
  impl: CiphersuiteImpl,
  publicKey: Uint8Array,
  privateKey: Uint8Array,
): Promise<boolean> {
  const info = utf8('sotto mls-vectors key match');
  const sealed = await impl.hpke.seal(await impl.hpke.importPublicKey(publicKey), info, info);
  const opened = await impl.hpke.open(
    await impl.hpke.importPrivateKey(privateKey),
    sealed.enc,
    sealed.ct,
    info,
  );
  return same('opened', opened, info) === true;
}

async function privatePath(leaf: LeafPrivate, impl: CiphersuiteImpl): Promise<PrivateKeyPath> {
  const secrets = Object.fromEntries(leaf.path_secrets.map((p) => [p.node, hex(p.path_secret)]));
  const path = await toPrivateKeyPath(secrets, leaf.index, impl);
  const leafNode = leafToNodeIndex(toLeafIndex(leaf.index));
  return { ...path, privateKeys: { ...path.privateKeys, [leafNode]: hex(leaf.encryption_priv) } };
}

async function check(v: TreeKemVector): Promise<Verdict[]> {
  const impl = await suiteImpl(v.cipher_suite);
  const out: Verdict[] = [];
  const bytes = hex(v.ratchet_tree);
  const listed = decodeNodeList(bytes, 0);
  if (listed === undefined || listed[1] !== bytes.length)
    return ['ratchet_tree does not decode as a node list'];
  const nodes = listed[0];
  const trailingBlanks = nodes.length - 1 - nodes.findLastIndex((n) => n !== undefined);
  const tree = extendRatchetTree(stripBlankNodes(nodes));
  if (trailingBlanks === 0) {
    out.push(same('ratchet_tree re-encoded', encodeRatchetTree(tree), bytes));
  } else {
    const strict = (() => {
      try {
        return decodeRatchetTree(bytes, 0) !== undefined;
      } catch {
        return false;
      }
    })();
    out.push(
      !strict || `ratchet_tree with ${trailingBlanks} trailing blank nodes accepted by the strict decoder`,
    );
  }
  out.push((await verifyParentHashes(tree, impl.hash)) || 'parent hashes refused');

  for (const leaf of v.leaves_private) {
    const node = tree[leafToNodeIndex(toLeafIndex(leaf.index))];
    if (node === undefined) return [...out, `no leaf ${leaf.index}`];
    const matches = await keysMatch(impl, getHpkePublicKey(node), hex(leaf.encryption_priv));
    out.push(matches || `leaf ${leaf.index}: encryption_priv does not match the leaf key`);
    for (const p of leaf.path_secrets) {
      const pair = await impl.hpke.deriveKeyPair(await deriveSecret(hex(p.path_secret), 'node', impl.kdf));
      const parent = tree[p.node];
      if (parent === undefined) return [...out, `no node ${p.node}`];
      const derived = await impl.hpke.exportPublicKey(pair.publicKey);
      out.push(same(`leaf ${leaf.index} node ${p.node} key`, derived, getHpkePublicKey(parent)));
    }
  }

  const paths = await Promise.all(v.leaves_private.map((leaf) => privatePath(leaf, impl)));
  for (const u of v.update_paths) {
    const up = decodeUpdatePath(hex(u.update_path), 0);
    if (up === undefined) return [...out, `sender ${u.sender}: update_path does not decode`];
    const sender = toLeafIndex(u.sender);
    const after = await applyUpdatePath(tree, sender, up[0], impl.hash);
    const treeHash = await treeHashRoot(after, impl.hash);
    out.push(same(`sender ${u.sender} tree_hash_after`, treeHash, hex(u.tree_hash_after)));
    const context: GroupContext = {
      version: 'mls10',
      cipherSuite: getCiphersuiteNameFromId(v.cipher_suite as CiphersuiteId),
      groupId: hex(v.group_id),
      epoch: BigInt(v.epoch),
      treeHash,
      confirmedTranscriptHash: hex(v.confirmed_transcript_hash),
      extensions: [],
    };
    for (const path of paths) {
      if (path.leafIndex === u.sender) continue;
      const at = (what: string) => `sender ${u.sender} leaf ${path.leafIndex} ${what}`;
      const expected = u.path_secrets[path.leafIndex];
      if (typeof expected !== 'string') {
        out.push(at('has no listed path secret'));
        continue;
      }
      const got = await applyUpdatePathSecret(tree, path, sender, context, up[0], [], impl);
      out.push(same(at('path secret'), got.pathSecret, hex(expected)));
      const commit = await getCommitSecret(tree, got.nodeIndex, got.pathSecret, impl.kdf);
      out.push(same(at('commit secret'), commit, hex(u.commit_secret)));
      const otherEpoch = { ...context, epoch: context.epoch + 1n };
      const refused = await applyUpdatePathSecret(tree, path, sender, otherEpoch, up[0], [], impl).then(
        () => false,
        () => true,
      );
      out.push(refused || at('decrypted under another epoch'));
    }
  }
  return out;
}

describe('MLS treekem.json on ts-mls', () => {
  testEverySuite(loadVectors<TreeKemVector>('treekem.json'), {
    suites: [1],
    unavailable: [],
    casesPerSuite: 2,
    what: ': trees of 2 and 4 leaves, 5 UpdatePaths',
    label: (_v, i) => `entry ${i}`,
    check,
  });
});
