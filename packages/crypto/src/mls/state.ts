/**
 * How a group's MLS state is stored so that sending costs O(1) in the group's size (ADR 0018 "state
 * persistence layout"). The state has two parts that change at very different rates:
 * - the epoch part: GroupContext, key schedule, ratchet tree (O(n), ~1.4 KB per X-Wing leaf), private
 *   path, confirmation tag, pending proposals, and the secret tree as the epoch began. It changes only
 *   with a commit (or a proposal), and is then stored whole: the "base";
 * - the secret tree's per-leaf ratchets (RFC 9420 §9): every message sent or received advances exactly
 *   one leaf's application or handshake generation. Only that node is stored, as an override of the base
 *   for the same epoch: a few dozen bytes, whatever the group's size.
 * Loading applies the overrides to the base. A new base (after a commit) drops the overrides of the old
 * epoch. The signing key is not stored here at all: it is the device key, put back on load. The
 * receiving keys of the last RETAINED_EPOCHS epochs are part of the base (a message of a past epoch that
 * arrives late rewrites the base: rare, see config.ts).
 */

import {
  type ClientConfig,
  type ClientState,
  type Decoder,
  decodeGroupState,
  type EpochReceiverData,
  encodeGroupState,
  type RatchetTree,
  type SecretTreeNode,
} from 'ts-mls';
import { encode } from 'ts-mls/codec/tlsEncoder.js';
import { decodeGroupContext, encodeGroupContext } from 'ts-mls/groupContext.js';
import { decodeNode, encodeNode } from 'ts-mls/ratchetTree.js';
import {
  decodeSecretTree,
  decodeSecretTreeNode,
  secretTreeEncoder,
  secretTreeNodeEncoder,
} from 'ts-mls/secretTree.js';
import { ByteReader, ByteWriter } from '../binary.js';
import { SottoError } from '../errors.js';

const encodeSecretTreeNode = encode(secretTreeNodeEncoder);
const encodeSecretTree = encode(secretTreeEncoder);

/** Format version of a stored base. */
const BASE_VERSION = 1;
/** Bounds of a stored base (it is local data, but still read with checks). */
const MAX_PART = 256 * 1024 * 1024;
const MAX_NODES = 1 << 24;

function decodeExactly<T>(decode: Decoder<T>, bytes: Uint8Array, what: string): T {
  let decoded: ReturnType<Decoder<T>>;
  try {
    decoded = decode(bytes, 0);
  } catch {
    decoded = undefined;
  }
  if (decoded === undefined || decoded[1] !== bytes.length) {
    throw new SottoError('MALFORMED_ENCODING', `group state: not a stored ${what}`);
  }
  return decoded[0];
}

/**
 * The epoch part of `state`, without the signing key: `[version][the ts-mls state without past epochs]`
 * then each kept past epoch's receiving data, its ratchet tree stored as the nodes that differ from the
 * current tree (a commit changes a path, not the tree), so keeping past epochs costs their secret trees,
 * not whole copies of the ratchet tree.
 */
export function encodeGroupBase(state: ClientState): Uint8Array {
  const w = new ByteWriter(1024);
  w.u8(BASE_VERSION);
  w.bytes(
    encodeGroupState({ ...state, signaturePrivateKey: new Uint8Array(0), historicalReceiverData: new Map() }),
  );
  const past = [...state.historicalReceiverData];
  w.u8(past.length);
  for (const [epoch, data] of past) {
    w.u64(Number(epoch));
    w.bytes(data.resumptionPsk).bytes(data.senderDataSecret);
    w.bytes(encodeGroupContext(data.groupContext)).bytes(encodeSecretTree(data.secretTree));
    const tree = data.ratchetTree;
    const changed = [...tree.keys()].filter((i) => tree[i] !== state.ratchetTree[i]);
    w.u32(tree.length).u32(changed.length);
    for (const i of changed) {
      const node = tree[i];
      w.u32(i).u8(node === undefined ? 0 : 1);
      if (node !== undefined) w.bytes(encodeNode(node));
    }
  }
  return w.finish();
}

/**
 * Decodes a stored base, with the device's signing seed and the client configuration put back. Throws
 * MALFORMED_ENCODING when it does not decode exactly.
 */
export function decodeGroupBase(
  bytes: Uint8Array,
  signingSeed: Uint8Array,
  config: ClientConfig,
): ClientState {
  const r = new ByteReader(bytes, 'group state');
  if (r.u8() !== BASE_VERSION) throw new SottoError('MALFORMED_ENCODING', 'group state: unknown version');
  const state = decodeExactly(decodeGroupState, r.bytes(MAX_PART), 'group state');
  const past = new Map<bigint, EpochReceiverData>();
  const count = r.u8();
  for (let n = 0; n < count; n++) {
    const epoch = BigInt(r.u64());
    const resumptionPsk = r.bytes(1024);
    const senderDataSecret = r.bytes(1024);
    const groupContext = decodeExactly(decodeGroupContext, r.bytes(MAX_PART), 'past epoch');
    const secretTree = decodeExactly(decodeSecretTree, r.bytes(MAX_PART), 'past epoch');
    const length = r.u32();
    const changed = r.u32();
    if (length > MAX_NODES || changed > length)
      throw new SottoError('MALFORMED_ENCODING', 'group state: bad tree');
    const tree: RatchetTree = state.ratchetTree.slice(0, length);
    while (tree.length < length) tree.push(undefined);
    for (let k = 0; k < changed; k++) {
      const i = r.u32();
      if (i >= length) throw new SottoError('MALFORMED_ENCODING', 'group state: node out of range');
      tree[i] = r.u8() === 0 ? undefined : decodeExactly(decodeNode, r.bytes(MAX_PART), 'tree node');
    }
    past.set(epoch, { resumptionPsk, senderDataSecret, groupContext, secretTree, ratchetTree: tree });
  }
  r.finish();
  return { ...state, historicalReceiverData: past, signaturePrivateKey: signingSeed, clientConfig: config };
}

/** One secret-tree node, encoded. */
export function encodeSecretNode(node: SecretTreeNode): Uint8Array {
  return encodeSecretTreeNode(node);
}

/** Decodes one stored secret-tree node (MALFORMED_ENCODING when it does not decode exactly). */
export function decodeSecretNode(bytes: Uint8Array): SecretTreeNode {
  let decoded: ReturnType<typeof decodeSecretTreeNode>;
  try {
    decoded = decodeSecretTreeNode(bytes, 0);
  } catch {
    decoded = undefined;
  }
  if (decoded === undefined || decoded[1] !== bytes.length) {
    throw new SottoError('MALFORMED_ENCODING', 'group state: not a stored secret-tree node');
  }
  return decoded[0];
}

/** `state` with stored secret-tree nodes (by node index) put over its base. Throws MALFORMED_ENCODING. */
export function withSecretNodes(
  state: ClientState,
  nodes: Iterable<readonly [number, Uint8Array]>,
): ClientState {
  const tree = state.secretTree.slice();
  for (const [index, bytes] of nodes) {
    if (!Number.isInteger(index) || index < 0 || index >= tree.length) {
      throw new SottoError('MALFORMED_ENCODING', 'group state: a secret-tree node out of range');
    }
    tree[index] = decodeSecretNode(bytes);
  }
  return { ...state, secretTree: tree };
}

/** What must be stored after an operation turned `before` into `after`. */
export type StateDelta =
  | { readonly kind: 'none' }
  | { readonly kind: 'base' }
  | { readonly kind: 'nodes'; readonly nodes: ReadonlyArray<readonly [number, Uint8Array]> };

/**
 * What changed between two states: nothing; only secret-tree nodes (their new encodings: O(1) for one
 * message); or anything else (store a new base). ts-mls returns new objects for what an operation
 * changed and shares the rest, so a reference comparison finds the change.
 */
export function stateDelta(
  before: ClientState,
  after: ClientState,
  /** The only secret-tree nodes that may have moved (e.g. the sender's own leaf): O(1) instead of O(n). */
  candidates?: readonly number[],
): StateDelta {
  const same =
    before.groupContext === after.groupContext &&
    before.keySchedule === after.keySchedule &&
    before.ratchetTree === after.ratchetTree &&
    before.privatePath === after.privatePath &&
    before.unappliedProposals === after.unappliedProposals &&
    before.confirmationTag === after.confirmationTag &&
    before.groupActiveState === after.groupActiveState &&
    before.historicalReceiverData === after.historicalReceiverData &&
    before.secretTree.length === after.secretTree.length;
  if (!same) return { kind: 'base' };
  const nodes: Array<readonly [number, Uint8Array]> = [];
  if (before.secretTree !== after.secretTree) {
    for (const i of candidates ?? after.secretTree.keys()) {
      const node = after.secretTree[i];
      if (node !== undefined && node !== before.secretTree[i]) nodes.push([i, encodeSecretNode(node)]);
    }
  }
  return nodes.length === 0 ? { kind: 'none' } : { kind: 'nodes', nodes };
}
