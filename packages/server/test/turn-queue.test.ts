/**
 * The turn queue under the relay's group commit and PostgreSQL's batched acks: what is pushed in one turn
 * is drained as one batch after it, what arrives during a drain waits for the next, order is kept, and a
 * drain that fails does not stop the queue.
 */
import { expect, it } from 'vitest';
import { TurnQueue } from '../src/turn-queue.js';

it('drains a turn as one batch, the pushes made meanwhile as the next, in order', async () => {
  const batches: number[][] = [];
  let release: () => void = () => {};
  const first = new Promise<void>((r) => {
    release = r;
  });
  const q = new TurnQueue<number>(async (items) => {
    const batch = items.splice(0);
    batches.push(batch);
    if (batches.length === 1) await first;
  });
  q.push(1);
  q.push(2);
  q.push(3);
  expect(batches).toEqual([]);
  await new Promise((r) => setImmediate(r));
  expect(batches).toEqual([[1, 2, 3]]);
  q.push(4);
  q.push(5);
  release();
  await new Promise((r) => setTimeout(r, 10));
  expect(batches).toEqual([
    [1, 2, 3],
    [4, 5],
  ]);
});

it('takes only what the drain takes each time, and goes on after a drain rejects', async () => {
  const seen: number[][] = [];
  const q = new TurnQueue<number>(async (items) => {
    const batch = items.splice(0, 2);
    seen.push(batch);
    if (batch.includes(1)) throw new Error('store down');
  });
  for (const n of [1, 2, 3, 4, 5]) q.push(n);
  await new Promise((r) => setTimeout(r, 10));
  expect(seen).toEqual([[1, 2]]);
  q.push(6);
  await new Promise((r) => setTimeout(r, 10));
  expect(seen).toEqual([
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
});
