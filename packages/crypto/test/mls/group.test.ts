import { describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '../../src/bytes.js';
import { SottoError } from '../../src/errors.js';
import {
  commitMlsChanges,
  encryptMlsMessage,
  processMlsMessage,
  stateEpoch,
  stateMetadata,
  treeMembers,
} from '../../src/mls/index.js';
import { World } from './support.js';

function must<T>(v: T | undefined): T {
  if (v === undefined) throw new Error('missing');
  return v;
}

describe('MLS groups (classic suite)', () => {
  it('creates a group, adds members, and carries messages both ways with the sender authenticated', async () => {
    const w = new World();
    const alice = await w.device('alice');
    const bob = await w.device('bob');
    const carol = await w.device('carol');
    const states = await w.group(alice, [bob, carol]);
    expect(treeMembers(must(states.get('bob/1')).ratchetTree).map((m) => m.account)).toEqual([
      'alice',
      'bob',
      'carol',
    ]);
    expect(stateMetadata(must(states.get('carol/1')))).toEqual({ name: 'Team', admins: ['alice'] });
    const sent = await encryptMlsMessage(w.deps(), must(states.get('bob/1')), utf8('hello'));
    for (const who of ['alice/1', 'carol/1']) {
      const r = await processMlsMessage(w.deps(), must(states.get(who)), sent.message);
      expect(r.kind).toBe('application');
      if (r.kind !== 'application') return;
      expect(fromUtf8(r.plaintext)).toBe('hello');
      expect(r.sender).toMatchObject({ account: 'bob', deviceId: 1 });
    }
  });

  it('refuses a commit by a non-admin that adds another account, and the state stays as it was', async () => {
    const w = new World();
    const alice = await w.device('alice');
    const bob = await w.device('bob');
    const dave = await w.device('dave');
    const states = await w.group(alice, [bob]);
    const bobState = must(states.get('bob/1'));
    const { kp } = await w.keyPackage(dave);
    await expect(commitMlsChanges(w.deps(), bobState, { add: [kp] })).rejects.toMatchObject({
      code: 'NOT_GROUP_ADMIN',
    });
    const aliceState = must(states.get('alice/1'));
    expect(stateEpoch(aliceState)).toBe(1);
    const renamed = await commitMlsChanges(w.deps(), aliceState, {
      metadata: { name: 'New', admins: ['alice'] },
    });
    const r = await processMlsMessage(w.deps(), bobState, renamed.commit);
    expect(r.kind).toBe('commit');
    expect(stateMetadata(r.state).name).toBe('New');
    expect(SottoError).toBeDefined();
  });
});
