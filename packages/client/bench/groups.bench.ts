/**
 * `npm run bench:groups` (ADR 0018): what group messaging costs the sender, and the server.
 * 1. Locally, groups of 10, 100 and 1,000 members (one device each) built with the SDK's MLS layer:
 *    sender CPU per message (encrypt once + the one secret-tree node stored) and per commit (an empty
 *    commit: a fresh UpdatePath over a tree of members that have not committed yet, plus the new epoch's
 *    state to store). `send_ratio_1000_vs_10` is the per-message CPU at 1,000 over that at 10, measured
 *    in the same run (median of interleaved rounds): sending is O(1) in the group size when it stays near 1.
 * 2. Against the real server, a group of 3 accounts: the bytes the sender uploads per message (the
 *    `groups.send` frame) and the bytes the server stores for it (the body once, and one reference per
 *    recipient device); for 10, 100 and 1,000 members these are computed from the measured sizes.
 * Human lines first, one JSON object last.
 *
 * Run: node --conditions source --import tsx packages/client/bench/groups.bench.ts [suite] [messages]
 */

import { createNodeProvider, type GroupSuite } from '@sotto/crypto';
import { type BuiltGroup, buildGroup, measureCommits, measureSends } from './groups-local.js';
import { measureServer } from './groups-server.js';

const SUITE = (process.argv[2] ?? 'xwing') as GroupSuite;
const MESSAGES = Number(process.argv[3] ?? 600);
const ROUNDS = 7;
const SIZES = [10, 100, 1000];

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

const p = createNodeProvider();
const groups: BuiltGroup[] = [];
for (const n of SIZES) {
  groups.push(await buildGroup(p, SUITE, n));
  say(`${SUITE} ${n} members: built in ${(groups.at(-1) as BuiltGroup).build_s} s`);
}
// Sends in rounds, the sizes interleaved, so load from elsewhere on the machine hits them alike.
const perRound = Math.max(10, Math.round(MESSAGES / ROUNDS));
const sends = new Map<number, Array<{ cpu_ms: number; stored: number; bytes: number }>>();
for (let r = 0; r < ROUNDS; r++) {
  for (const g of groups)
    sends.set(g.members, [...(sends.get(g.members) ?? []), await measureSends(g, perRound)]);
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};
/** What one group size measured. */
interface LocalFigures {
  members: number;
  build_s: number;
  send_cpu_ms: number;
  send_stored_bytes: number;
  message_bytes: number;
  commit_cpu_ms: number;
  commit_bytes: number;
  commit_stored_bytes: number;
}
const local: LocalFigures[] = [];
for (const g of groups) {
  const ms = sends.get(g.members) ?? [];
  const c = await measureCommits(g, g.members >= 1000 ? 1 : 3);
  const f: LocalFigures = {
    members: g.members,
    build_s: g.build_s,
    send_cpu_ms: Math.round(median(ms.map((m) => m.cpu_ms)) * 1000) / 1000,
    send_stored_bytes: Math.round(median(ms.map((m) => m.stored))),
    message_bytes: ms[0]?.bytes ?? 0,
    commit_cpu_ms: Math.round(c.cpu_ms * 10) / 10,
    commit_bytes: c.bytes,
    commit_stored_bytes: c.stored,
  };
  local.push(f);
  say(
    `${SUITE} ${g.members} members: send ${f.send_cpu_ms} ms CPU (median of ${ROUNDS} rounds of ${perRound}), ` +
      `${f.message_bytes} B on the wire, ${f.send_stored_bytes} B stored; commit ${f.commit_cpu_ms} ms CPU, ` +
      `${f.commit_bytes} B, ${f.commit_stored_bytes} B stored`,
  );
}
const at = (n: number) => local.find((f) => f.members === n) as LocalFigures;
const server = await measureServer(SIZES);
say(
  `server (3 accounts): ${server.upload_bytes} B uploaded and ${server.stored_body_bytes} B body + ` +
    `${server.stored_reference_bytes} B per recipient device stored per message`,
);
for (const s of server.computed)
  say(`  ${s.members} members: ${s.uploaded_bytes} B up, ${s.stored_bytes} B stored per message`);
say(
  `${JSON.stringify({
    bench: 'groups',
    suite: SUITE,
    note: 'local groups: one device per member; server figures measured with 3 accounts, computed for larger groups',
    local,
    server,
    send_ratio_1000_vs_10: Math.round((at(1000).send_cpu_ms / at(10).send_cpu_ms) * 100) / 100,
    commit_ratio_1000_vs_10: Math.round((at(1000).commit_cpu_ms / at(10).commit_cpu_ms) * 10) / 10,
  })}`,
);
process.exit(0);
