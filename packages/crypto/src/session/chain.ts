/**
 * Walking a receiving chain forward (Double Ratchet §3.5 SkipMessageKeys) and the bounded store of
 * skipped message keys. Pure: each function returns new arrays and never mutates its inputs.
 */

import { equalBytes } from '../bytes.js';
import type { CryptoProvider } from '../provider.js';
import { kdfChain } from './kdf.js';
import { SESSION_LIMITS } from './limits.js';
import { type ChainState, chainState, type SkippedKey, skippedKey } from './state.js';

const NONE: readonly SkippedKey[] = [];

/** A chain walked forward, with the message keys it skipped on the way. */
export interface ChainWalk {
  readonly chain: ChainState;
  readonly skipped: readonly SkippedKey[];
}

/** Advances `chain` until its counter is `until`, keeping every message key on the way as skipped. */
export async function skipTo(
  p: CryptoProvider,
  chain: ChainState,
  ratchetKey: Uint8Array,
  until: number,
): Promise<ChainWalk> {
  const skipped: SkippedKey[] = [];
  let { chainKey, counter } = chain;
  while (counter < until) {
    const step = await kdfChain(p, chainKey);
    skipped.push(skippedKey(ratchetKey, counter, step.messageKey));
    chainKey = step.chainKey;
    counter++;
  }
  return { chain: chainState(chainKey, counter), skipped };
}

/** Advances `chain` to message `counter` and returns that message's key (skipping the ones before it). */
export async function keyFor(
  p: CryptoProvider,
  chain: ChainState,
  ratchetKey: Uint8Array,
  counter: number,
): Promise<ChainWalk & { readonly messageKey: Uint8Array }> {
  const walk =
    counter === chain.counter ? { chain, skipped: NONE } : await skipTo(p, chain, ratchetKey, counter);
  const step = await kdfChain(p, walk.chain.chainKey);
  return {
    chain: chainState(step.chainKey, counter + 1),
    skipped: walk.skipped,
    messageKey: step.messageKey,
  };
}

/** Index of the skipped key for (ratchetKey, counter), or -1. */
export function findSkipped(store: readonly SkippedKey[], ratchetKey: Uint8Array, counter: number): number {
  for (let i = 0; i < store.length; i++) {
    const entry = store[i];
    if (entry !== undefined && entry.counter === counter && equalBytes(entry.ratchetKey, ratchetKey))
      return i;
  }
  return -1;
}

/** The store with `added` appended, the oldest evicted beyond SESSION_LIMITS.maxSkippedKeys. */
export function addSkipped(
  store: readonly SkippedKey[],
  added: readonly SkippedKey[],
): readonly SkippedKey[] {
  if (added.length === 0) return store;
  const all = store.concat(added);
  const excess = all.length - SESSION_LIMITS.maxSkippedKeys;
  return excess > 0 ? all.slice(excess) : all;
}

/** The store without entry `index`. */
export function removeSkipped(store: readonly SkippedKey[], index: number): readonly SkippedKey[] {
  return store.slice(0, index).concat(store.slice(index + 1));
}

/** `list` with `item` appended, keeping at most `max` (newest last). */
export function pushBounded<T>(list: readonly T[], item: T, max: number): readonly T[] {
  const all = list.concat([item]);
  return all.length > max ? all.slice(all.length - max) : all;
}
