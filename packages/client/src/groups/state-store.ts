/**
 * A group's MLS state in the client store (the `groups` table), laid out so that a message costs O(1) in
 * the group's size (see `@sotto/crypto` mls/state.ts, and ADR 0018 "state persistence layout"):
 * - `g/<hex>`: the summary (record.ts), and `b/<hex>`: the epoch part of the state (the "base"), both
 *   written together on a commit or a join;
 * - `n/<hex>/<epoch>/<node>`: one secret-tree node that moved on since the base (one message sent or
 *   received): a few dozen bytes;
 * - `h/<hex>/<epoch>/<envelope>`: a message of a later epoch waiting for its commit (see receive.ts).
 * Decoded states are cached per loaded profile (one client); the cache is updated only after the write that stores the change
 * succeeded, so it never holds a state the store does not.
 */

import {
  decodeGroupBase,
  encodeGroupBase,
  groupClientConfig,
  type MlsState,
  memberAuthService,
  type StateDelta,
  stateDelta,
  stateEpoch,
  withSecretNodes,
} from '@sotto/crypto';
import type { Ctx } from '../context.js';
import { del, put, type StoreOp } from '../store/store.js';
import { decodeGroupRecord, encodeGroupRecord, type GroupRecord } from './record.js';

/** A group as loaded: its summary and its MLS state (undefined once this device left or was removed). */
export interface LoadedGroup {
  readonly record: GroupRecord;
  readonly state: MlsState | undefined;
}

const cache = new WeakMap<Ctx, Map<string, LoadedGroup>>();

function cached(ctx: Ctx): Map<string, LoadedGroup> {
  let m = cache.get(ctx);
  if (m === undefined) {
    m = new Map();
    cache.set(ctx, m);
  }
  return m;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');
/** Store keys of a group (by the hex of its id). */
export const groupKeys = {
  record: (hex: string) => `g/${hex}`,
  base: (hex: string) => `b/${hex}`,
  nodes: (hex: string) => `n/${hex}/`,
  node: (hex: string, epoch: number, node: number) => `n/${hex}/${pad(epoch, 16)}/${pad(node, 8)}`,
  held: (hex: string, epoch?: number) => (epoch === undefined ? `h/${hex}/` : `h/${hex}/${pad(epoch, 16)}/`),
};

/** A configuration for stored states: credentials are only ever checked through an operation's own lookup. */
const refuseAll = groupClientConfig(memberAuthService(async () => undefined));

/** Loads a group (from the cache, else the store: the base with the nodes of its epoch over it). */
export async function loadGroup(ctx: Ctx, hex: string): Promise<LoadedGroup | undefined> {
  const hit = cached(ctx).get(hex);
  if (hit !== undefined) return hit;
  const raw = await ctx.store.get('groups', groupKeys.record(hex));
  if (raw === undefined) return undefined;
  const record = decodeGroupRecord(raw);
  let state: MlsState | undefined;
  const base = await ctx.store.get('groups', groupKeys.base(hex));
  if (base !== undefined && record.status === 'active') {
    state = decodeGroupBase(base, ctx.profile.device.signing.secretKey, refuseAll);
    const prefix = `${groupKeys.nodes(hex)}${pad(stateEpoch(state), 16)}/`;
    const nodes = (await ctx.store.list('groups', { prefix })).map(
      ([k, v]) => [Number(k.slice(prefix.length)), v] as const,
    );
    state = withSecretNodes(state, nodes);
  }
  const loaded = { record, state };
  cached(ctx).set(hex, loaded);
  return loaded;
}

/** Every group's id (hex) this device knows. */
export async function listGroupIds(ctx: Ctx): Promise<string[]> {
  return (await ctx.store.list('groups', { prefix: 'g/' })).map(([k]) => k.slice(2));
}

/** A pending save: the operations to write, then `done()` once they are written. */
export interface GroupSave {
  readonly ops: StoreOp[];
  readonly done: () => void;
}

/**
 * What to store for `hex` going from `before` to `after`: a new base (and summary) when the epoch part
 * changed, or only the secret-tree nodes that moved (`delta` when the caller knows it). Call `done()` after
 * the write.
 */
export async function saveGroup(
  ctx: Ctx,
  hex: string,
  before: LoadedGroup | undefined,
  after: LoadedGroup,
  delta?: StateDelta,
): Promise<GroupSave> {
  const ops: StoreOp[] = [];
  const state = after.state;
  const d: StateDelta =
    delta ??
    (before?.state === undefined || state === undefined ? { kind: 'base' } : stateDelta(before.state, state));
  if (d.kind === 'nodes' && state !== undefined && before?.record === after.record) {
    const epoch = stateEpoch(state);
    for (const [node, bytes] of d.nodes) ops.push(put('groups', groupKeys.node(hex, epoch, node), bytes));
  } else if (d.kind !== 'none' || before?.record !== after.record) {
    ops.push(put('groups', groupKeys.record(hex), encodeGroupRecord(after.record)));
    if (state === undefined) ops.push(del('groups', groupKeys.base(hex)));
    else ops.push(put('groups', groupKeys.base(hex), encodeGroupBase(state)));
    for (const [k] of await ctx.store.list('groups', { prefix: groupKeys.nodes(hex) }))
      ops.push(del('groups', k));
  }
  return { ops, done: () => cached(ctx).set(hex, after) };
}
