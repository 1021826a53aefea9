import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '../../src/bytes.js';
import {
  commitMlsChanges,
  decodeGroupBase,
  encodeGroupBase,
  encryptMlsMessage,
  groupClientConfig,
  type MlsState,
  memberAuthService,
  ownLeafIndex,
  processMlsMessage,
  stateDelta,
  withSecretNodes,
} from '../../src/mls/index.js';
import { type Device, World } from './support.js';

/** One member's storage as the SDK lays it out: a base per epoch and the secret-tree nodes moved since. */
class Stored {
  base: Uint8Array;
  nodes = new Map<number, Uint8Array>();
  writes: number[] = [];

  constructor(
    public state: MlsState,
    private readonly device: Device,
  ) {
    this.base = encodeGroupBase(state);
  }

  update(next: MlsState, candidates?: number[]): void {
    const d = stateDelta(this.state, next, candidates);
    if (d.kind === 'base') {
      this.base = encodeGroupBase(next);
      this.nodes.clear();
      this.writes.push(this.base.length);
    } else if (d.kind === 'nodes') {
      for (const [i, b] of d.nodes) this.nodes.set(i, b);
      this.writes.push(d.nodes.reduce((n, [, b]) => n + b.length, 0));
    }
    this.state = next;
  }

  restart(): void {
    const config = groupClientConfig(memberAuthService(async () => undefined));
    this.state = withSecretNodes(
      decodeGroupBase(this.base, this.device.signing.secretKey, config),
      this.nodes,
    );
  }
}

describe('group state persistence', () => {
  it('stores one small secret-tree node per message, whatever the group size', async () => {
    const sizes: number[] = [];
    for (const n of [3, 12]) {
      const w = new World();
      const devices = [];
      for (let i = 0; i < n; i++) devices.push(await w.device(`user${i}`));
      const [admin, ...rest] = devices as [Device, ...Device[]];
      const states = await w.group(admin, rest);
      const st = new Stored(states.get(admin.name) as MlsState, admin);
      const sent = await encryptMlsMessage(w.deps(), st.state, utf8('hi'));
      st.update(sent.state, [ownLeafIndex(st.state) * 2]);
      sizes.push(st.writes.at(-1) as number);
      expect(st.nodes.size).toBe(1);
    }
    expect(sizes[0]).toBe(sizes[1]);
    expect(sizes[0]).toBeLessThan(200);
  });

  it('keeps past epochs’ receiving keys across a restart, storing their trees as differences', async () => {
    const w = new World();
    const devices = [await w.device('alice'), await w.device('bob'), await w.device('carol')];
    const [alice, bob, carol] = devices as [Device, Device, Device];
    const s = await w.group(alice, [bob, carol]);
    const late = await encryptMlsMessage(w.deps(), s.get('bob/1') as MlsState, utf8('late'));
    let a = s.get('alice/1') as MlsState;
    const c = new Stored(s.get('carol/1') as MlsState, carol);
    for (let i = 0; i < 2; i++) {
      const commit = await commitMlsChanges(w.deps(), a, {});
      a = commit.state;
      c.update((await processMlsMessage(w.deps(), c.state, commit.commit)).state);
    }
    const withHistory = encodeGroupBase(c.state).length;
    const withoutHistory = encodeGroupBase({ ...c.state, historicalReceiverData: new Map() }).length;
    const secretTrees = [...c.state.historicalReceiverData.values()].reduce(
      (n, d) => n + d.secretTree.length * 80,
      0,
    );
    expect(withHistory - withoutHistory).toBeLessThan(secretTrees + 4096);
    c.restart();
    expect(c.state.historicalReceiverData.size).toBe(2);
    const r = await processMlsMessage(w.deps(), c.state, late.message);
    expect(r.kind === 'application' && fromUtf8(r.plaintext)).toBe('late');
    c.update(r.state);
    c.restart();
    await expect(processMlsMessage(w.deps(), c.state, late.message)).rejects.toMatchObject({
      code: 'MLS_INVALID',
    });
  });

  it('survives restarts at any point: every message is read exactly once, in any interleaving', async () => {
    const w = new World();
    const devices = [await w.device('alice'), await w.device('bob'), await w.device('carol')];
    const [alice, ...rest] = devices as [Device, Device, Device];
    const initial = await w.group(alice, rest);
    const snapshot = new Map([...initial].map(([k, v]) => [k, encodeGroupBase(v)]));
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ t: fc.constant('send' as const), from: fc.nat(2) }),
            fc.record({ t: fc.constant('restart' as const), who: fc.nat(2) }),
            fc.record({ t: fc.constant('commit' as const) }),
          ),
          { maxLength: 14 },
        ),
        async (steps) => {
          const config = groupClientConfig(memberAuthService(async () => undefined));
          const members = devices.map(
            (d) =>
              new Stored(decodeGroupBase(snapshot.get(d.name) as Uint8Array, d.signing.secretKey, config), d),
          );
          let n = 0;
          for (const step of steps) {
            if (step.t === 'restart') {
              members[step.who]?.restart();
              continue;
            }
            if (step.t === 'commit') {
              const a = members[0] as Stored;
              const c = await commitMlsChanges(w.deps(), a.state, {
                metadata: { name: `n${n++}`, admins: ['alice'] },
              });
              a.update(c.state);
              for (const m of members.slice(1))
                m.update((await processMlsMessage(w.deps(), m.state, c.commit)).state);
              continue;
            }
            const s = members[step.from] as Stored;
            const text = `m${n++}`;
            const sent = await encryptMlsMessage(w.deps(), s.state, utf8(text));
            s.update(sent.state, [ownLeafIndex(s.state) * 2]);
            for (const [i, m] of members.entries()) {
              if (i === step.from) continue;
              const r = await processMlsMessage(w.deps(), m.state, sent.message);
              if (r.kind !== 'application') throw new Error('expected a message');
              expect(fromUtf8(r.plaintext)).toBe(text);
              m.update(r.state);
              // A replay after the write is refused.
              await expect(processMlsMessage(w.deps(), m.state, sent.message)).rejects.toMatchObject({
                code: 'MLS_INVALID',
              });
            }
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});
