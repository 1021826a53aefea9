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

/** What one group size measured. */
export interface LocalFigures {
  readonly members: number;
  readonly build_s: number;
  readonly send_cpu_ms: number;
  readonly send_stored_bytes: number;
  readonly message_bytes: number;
  readonly commit_cpu_ms: number;
  readonly commit_bytes: number;
  readonly commit_stored_bytes: number;
}

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

/** Measures a group of `n` members in `suite` (`messages` messages, `commits` commits). */
export async function measureLocal(
  p: CryptoProvider,
  suite: GroupSuite,
  n: number,
  messages: number,
  commits: number,
): Promise<LocalFigures> {
  const t0 = performance.now();
  let state = await build(p, suite, n);
  const build_s = (performance.now() - t0) / 1000;
  const deps = { p, suite, lookup: async () => undefined };
  // Warm up (JIT), then measure.
  for (let i = 0; i < 200; i++) state = (await encryptMlsMessage(deps, state, utf8('warm up'))).state;
  const text = utf8('x'.repeat(120));
  let stored = 0;
  let messageBytes = 0;
  const c0 = cpuMs();
  for (let i = 0; i < messages; i++) {
    const r = await encryptMlsMessage(deps, state, text);
    const d = stateDelta(state, r.state, [ownLeafIndex(state) * 2]);
    if (d.kind === 'nodes') stored += d.nodes.reduce((a, [, b]) => a + b.length, 0);
    messageBytes = r.message.length;
    state = r.state;
  }
  const send_cpu_ms = (cpuMs() - c0) / messages;
  let commitBytes = 0;
  let commitStored = 0;
  const c1 = cpuMs();
  for (let i = 0; i < commits; i++) {
    const c = await commitMlsChanges(deps, state, {});
    commitBytes = c.commit.length;
    commitStored = encodeGroupBase(c.state).length;
    state = c.state;
  }
  const commit_cpu_ms = (cpuMs() - c1) / commits;
  return {
    members: n,
    build_s: Math.round(build_s * 10) / 10,
    send_cpu_ms: Math.round(send_cpu_ms * 1000) / 1000,
    send_stored_bytes: Math.round(stored / messages),
    message_bytes: messageBytes,
    commit_cpu_ms: Math.round(commit_cpu_ms * 10) / 10,
    commit_bytes: commitBytes,
    commit_stored_bytes: commitStored,
  };
}
