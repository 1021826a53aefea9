/**
 * The local half of `npm run bench:groups`: groups of N members (one device each) built with the SDK's
 * MLS layer (@sotto/crypto over ts-mls) in this process, and what one member's device spends:
 * - per message: encrypting it for the whole group and preparing what the SDK stores for it (the one
 *   secret-tree node that moved), in CPU time (user + system) per message;
 * - per commit: an empty commit (a fresh UpdatePath) and the new epoch's state to store, in CPU time.
 * The groups are built the way an admin adds everyone at once (one commit of Adds, members that have
 * not committed since), which is the most expensive tree to commit to: every blank parent makes the
 * path encrypt to each leaf below it.
 */

import {
  type CryptoProvider,
  commitMlsChanges,
  createMlsGroup,
  encodeGroupBase,
  encryptMlsMessage,
  type GroupSuite,
  generateMemberKeyPackage,
  type MlsState,
  ownLeafIndex,
  stateDelta,
  utf8,
  verifyMemberKeyPackage,
} from '@sotto/crypto';

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Builds a group of `n` one-device members, admin first; returns the admin's state. */
async function build(p: CryptoProvider, suite: GroupSuite, n: number): Promise<MlsState> {
  const listed = new Map<string, Uint8Array>();
  const lookup = async (d: { account: string; deviceId: number }) => listed.get(`${d.account}/${d.deviceId}`);
  const deps = { p, suite, lookup };
  const now = Date.now();
  const admin = await p.ed25519Generate();
  listed.set('member0/1', admin.publicKey);
  let state = await createMlsGroup(deps, {
    groupId: p.randomBytes(16),
    self: { device: { account: 'member0', deviceId: 1 }, signing: admin },
    metadata: { name: 'bench', admins: ['member0'] },
    now,
  });
  const BATCH = 200;
  for (let i = 1; i < n; i += BATCH) {
    const kps = [];
    for (let j = i; j < Math.min(n, i + BATCH); j++) {
      const signing = await p.ed25519Generate();
      const device = { account: `member${j}`, deviceId: 1 };
      listed.set(`member${j}/1`, signing.publicKey);
      const own = await generateMemberKeyPackage(p, { device, signing, suite, now });
      kps.push(await verifyMemberKeyPackage(p, own.bytes, { suite, device, signingKey: signing.publicKey }));
    }
    state = (await commitMlsChanges(deps, state, { add: kps })).state;
  }
  return state;
}

/** A group built for measuring: the admin's state, the deps, and the build time. */
export interface BuiltGroup {
  readonly members: number;
  state: MlsState;
  readonly build_s: number;
  readonly deps: { p: CryptoProvider; suite: GroupSuite; lookup: () => Promise<undefined> };
}

/** Builds a group of `n` members in `suite` and warms the send path up. */
export async function buildGroup(p: CryptoProvider, suite: GroupSuite, n: number): Promise<BuiltGroup> {
  const t0 = performance.now();
  const state = await build(p, suite, n);
  const g: BuiltGroup = {
    members: n,
    state,
    build_s: Math.round((performance.now() - t0) / 100) / 10,
    deps: { p, suite, lookup: async () => undefined },
  };
  await measureSends(g, 50);
  return g;
}

/**
 * Sends `count` messages as the SDK does (encrypt once; find and encode the one secret-tree node to
 * store): CPU ms per message, stored bytes per message, message bytes.
 */
export async function measureSends(
  g: BuiltGroup,
  count: number,
): Promise<{ cpu_ms: number; stored: number; bytes: number }> {
  const text = utf8('x'.repeat(120));
  let stored = 0;
  let bytes = 0;
  const c0 = cpuMs();
  for (let i = 0; i < count; i++) {
    const r = await encryptMlsMessage(g.deps, g.state, text);
    const d = stateDelta(g.state, r.state, [ownLeafIndex(g.state) * 2]);
    if (d.kind === 'nodes') stored += d.nodes.reduce((a, [, b]) => a + b.length, 0);
    bytes = r.message.length;
    g.state = r.state;
  }
  return { cpu_ms: (cpuMs() - c0) / count, stored: stored / count, bytes };
}

/** Makes `count` empty commits (a fresh UpdatePath each) and encodes the new base: CPU ms per commit. */
export async function measureCommits(
  g: BuiltGroup,
  count: number,
): Promise<{ cpu_ms: number; bytes: number; stored: number }> {
  let bytes = 0;
  let stored = 0;
  const c0 = cpuMs();
  for (let i = 0; i < count; i++) {
    const c = await commitMlsChanges(g.deps, g.state, {});
    bytes = c.commit.length;
    stored = encodeGroupBase(c.state).length;
    g.state = c.state;
  }
  return { cpu_ms: (cpuMs() - c0) / count, bytes, stored };
}
