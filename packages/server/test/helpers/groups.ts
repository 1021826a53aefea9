/**
 * Group test helpers: the server does not parse MLS, so commits, Welcomes and messages are recognisable
 * opaque bytes; these build them and read group envelopes back.
 */
import { randomBytes } from 'node:crypto';
import type { FrameOf, ServerFrame } from '@sotto/protocol';
import { expect } from 'vitest';
import type { TestClient } from './client.js';

/** A fresh random group id. */
export const newGroupId = (): Uint8Array => new Uint8Array(randomBytes(16));

/** Bytes carrying `label` (so a test can tell which payload arrived), padded to `size`. */
export function payload(label: string, size = label.length): Uint8Array {
  const out = new Uint8Array(Math.max(size, label.length));
  out.set(Buffer.from(label));
  return out;
}

/**
 * A KeyPackage-shaped payload: the `MLSMessage` header the server reads (mls10, mls_key_package, a
 * KeyPackage of `suite`, X-Wing by default) followed by `payload(label, size)`.
 */
export function keyPackagePayload(label: string, size = label.length, suite = 83): Uint8Array {
  const body = payload(label, size);
  const out = new Uint8Array(8 + body.length);
  out.set([0, 1, 0, 5, 0, 1, suite >> 8, suite & 0xff]);
  out.set(body, 8);
  return out;
}

/** The label {@link keyPackagePayload} put in `bytes`. */
export const keyPackageLabel = (bytes: Uint8Array): string => labelOf(bytes.subarray(8));

/** The label `payload` put in `bytes`. */
export const labelOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString().replace(/\0+$/, '');

/** A device address. */
export const dev = (account: string, deviceId = 1) => ({ account, deviceId });

/** True for a group envelope of group `id` (and `kind`, when given). */
export const groupEnvelope =
  (id: Uint8Array, kind?: 'commit' | 'welcome' | 'message') =>
  (f: ServerFrame): boolean =>
    f.t === 'envelope' &&
    f.group !== undefined &&
    Buffer.compare(f.group.id, id) === 0 &&
    (kind === undefined || f.group.kind === kind);

/** The next group envelope of `id` on `c`, as `kind:epoch:label`; acknowledged. */
export async function nextGroup(c: TestClient, id: Uint8Array, timeoutMs = 5_000): Promise<string> {
  const f = await c.next(groupEnvelope(id), timeoutMs);
  if (f.t !== 'envelope' || f.group === undefined) throw new Error('not a group envelope');
  c.sendFrame({ t: 'ack', envelopeIds: [f.envelopeId] });
  return `${f.group.kind}:${f.group.epoch}:${labelOf(f.body)}`;
}

/** Waits until every frame the server sent before now has arrived (a ping round trip). */
export async function settle(c: TestClient): Promise<void> {
  expect(await c.request({ t: 'ping' })).toMatchObject({ t: 'pong' });
}

/** Creates group `id` from `c` (expects `ok`). */
export async function createGroup(c: TestClient, id: Uint8Array, suite = 1): Promise<void> {
  expect(await c.request({ t: 'groups.create', groupId: id, suite })).toMatchObject({ t: 'ok' });
}

type CommitFields = Omit<FrameOf<'groups.commit'>, 't' | 'id' | 'commit' | 'added' | 'removed'> & {
  commit?: Uint8Array;
  added?: FrameOf<'groups.commit'>['added'];
  removed?: FrameOf<'groups.commit'>['removed'];
};

/** Sends a commit (commit bytes labelled `commit-<epoch>` unless given); resolves with the answer. */
export function commit(c: TestClient, fields: CommitFields): Promise<ServerFrame> {
  return c.request({
    t: 'groups.commit',
    commit: payload(`commit-${fields.epoch}`),
    added: [],
    removed: [],
    ...fields,
  });
}

/** Sends a group message labelled `label` at `epoch`; resolves with the answer. */
export function groupSend(c: TestClient, groupId: Uint8Array, epoch: number, label: string, size?: number) {
  return c.request({ t: 'groups.send', groupId, epoch, body: payload(label, size) });
}
