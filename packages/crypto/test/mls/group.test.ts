import { createCommit, emptyPskIndex, encodeMlsMessage } from 'ts-mls';
import { describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '../../src/bytes.js';
import {
  commitMlsChanges,
  effectiveAdmins,
  encryptMlsMessage,
  groupCiphersuite,
  joinMlsGroup,
  processMlsMessage,
  proposeMlsSelfRemoval,
  stateEpoch,
  stateMetadata,
  treeMembers,
} from '../../src/mls/index.js';
import { p, World } from './support.js';

function must<T>(v: T | undefined): T {
  if (v === undefined) throw new Error('missing');
  return v;
}

async function text(w: World, state: Parameters<typeof processMlsMessage>[1], message: Uint8Array) {
  const r = await processMlsMessage(w.deps(), state, message);
  if (r.kind !== 'application') throw new Error(`expected an application message, got ${r.kind}`);
  return { ...r, text: fromUtf8(r.plaintext) };
}

describe('MLS groups', () => {
  it('create, add, and messages both ways with the sender authenticated (X-Wing)', async () => {
    const w = new World('xwing');
    const [alice, bob, carol] = [await w.device('alice'), await w.device('bob'), await w.device('carol')];
    const s = await w.group(alice, [bob, carol]);
    expect(treeMembers(must(s.get('bob/1')).ratchetTree).map((m) => m.account)).toEqual([
      'alice',
      'bob',
      'carol',
    ]);
    expect(stateMetadata(must(s.get('carol/1')))).toEqual({ name: 'Team', admins: ['alice'] });
    const sent = await encryptMlsMessage(w.deps(), must(s.get('bob/1')), utf8('hello'));
    for (const who of ['alice/1', 'carol/1']) {
      const r = await text(w, must(s.get(who)), sent.message);
      expect(r.text).toBe('hello');
      expect(r.sender).toMatchObject({ account: 'bob', deviceId: 1 });
    }
  });

  it('refuses a replayed message and a commit of a past epoch, with the state unchanged', async () => {
    const w = new World();
    const [alice, bob] = [await w.device('alice'), await w.device('bob')];
    const s = await w.group(alice, [bob]);
    const sent = await encryptMlsMessage(w.deps(), must(s.get('alice/1')), utf8('once'));
    const first = await text(w, must(s.get('bob/1')), sent.message);
    await expect(processMlsMessage(w.deps(), first.state, sent.message)).rejects.toMatchObject({
      code: 'MLS_INVALID',
    });
    const c = await commitMlsChanges(w.deps(), sent.state, {
      metadata: { name: 'Renamed', admins: ['alice'] },
    });
    const after = await processMlsMessage(w.deps(), first.state, c.commit);
    expect(stateEpoch(after.state)).toBe(2);
    await expect(processMlsMessage(w.deps(), after.state, c.commit)).rejects.toMatchObject({
      code: 'MLS_INVALID',
    });
    // A message of a later epoch than ours means a commit is missing.
    const later = await encryptMlsMessage(w.deps(), c.state, utf8('later'));
    await expect(processMlsMessage(w.deps(), first.state, later.message)).rejects.toMatchObject({
      code: 'GROUP_COMMIT_MISSING',
    });
  });

  it('reads a message of a recent past epoch that arrives after the commit (once), not older ones', async () => {
    const w = new World();
    const [alice, bob, carol] = [await w.device('alice'), await w.device('bob'), await w.device('carol')];
    const s = await w.group(alice, [bob, carol]);
    const late = await encryptMlsMessage(w.deps(), must(s.get('bob/1')), utf8('sent before the commit'));
    let a = must(s.get('alice/1'));
    const commits: Uint8Array[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await commitMlsChanges(w.deps(), a, { metadata: { name: `n${i}`, admins: ['alice'] } });
      commits.push(c.commit);
      a = c.state;
    }
    // Carol applied two commits from the log before bob's message reached her: still readable, once.
    const c1 = await processMlsMessage(w.deps(), must(s.get('carol/1')), must(commits[0]));
    const c2 = await processMlsMessage(w.deps(), c1.state, must(commits[1]));
    const read = await text(w, c2.state, late.message);
    expect(read.text).toBe('sent before the commit');
    expect(read.sender).toMatchObject({ account: 'bob' });
    await expect(processMlsMessage(w.deps(), read.state, late.message)).rejects.toMatchObject({
      code: 'MLS_INVALID',
    });
    // Three epochs later its keys are gone.
    const c3 = await processMlsMessage(w.deps(), c2.state, must(commits[2]));
    await expect(processMlsMessage(w.deps(), c3.state, late.message)).rejects.toMatchObject({
      code: 'MLS_INVALID',
    });
  });

  it('refuses malformed and tampered MLS bytes as MLS_INVALID', async () => {
    const w = new World();
    const [alice, bob] = [await w.device('alice'), await w.device('bob')];
    const s = await w.group(alice, [bob]);
    const sent = await encryptMlsMessage(w.deps(), must(s.get('alice/1')), utf8('x'));
    const tampered = sent.message.slice();
    const at = tampered.length - 3;
    tampered[at] = (tampered[at] as number) ^ 1;
    for (const bad of [new Uint8Array([1, 2, 3]), tampered, sent.message.subarray(0, 40)]) {
      await expect(processMlsMessage(w.deps(), must(s.get('bob/1')), bad)).rejects.toMatchObject({
        code: 'MLS_INVALID',
      });
    }
  });

  it('refuses a commit by a non-admin that adds another account, or renames (NOT_GROUP_ADMIN)', async () => {
    const w = new World();
    const [alice, bob, dave] = [await w.device('alice'), await w.device('bob'), await w.device('dave')];
    const s = await w.group(alice, [bob]);
    const { kp } = await w.keyPackage(dave);
    await expect(commitMlsChanges(w.deps(), must(s.get('bob/1')), { add: [kp] })).rejects.toMatchObject({
      code: 'NOT_GROUP_ADMIN',
    });
    // Bob's client bypassed: a commit made with ts-mls directly is refused by Alice all the same.
    const cs = await groupCiphersuite(p, 'classic');
    const forged = await createCommit(
      { state: must(s.get('bob/1')), cipherSuite: cs, pskIndex: emptyPskIndex },
      { extraProposals: [{ proposalType: 'add', add: { keyPackage: kp } }] },
    );
    await expect(
      processMlsMessage(w.deps(), must(s.get('alice/1')), encodeMlsMessage(forged.commit)),
    ).rejects.toMatchObject({
      code: 'NOT_GROUP_ADMIN',
    });
    await expect(
      commitMlsChanges(w.deps(), must(s.get('bob/1')), { metadata: { name: 'Mine', admins: ['alice'] } }),
    ).rejects.toMatchObject({ code: 'NOT_GROUP_ADMIN' });
  });

  it('lets a member add its own new device, and refuses a leaf whose key is not on its device list', async () => {
    const w = new World();
    const [alice, bob, bob2] = [await w.device('alice'), await w.device('bob'), await w.device('bob', 2)];
    const s = await w.group(alice, [bob]);
    const k = await w.keyPackage(bob2);
    const c = await commitMlsChanges(w.deps(), must(s.get('bob/1')), { add: [k.kp] });
    const r = await processMlsMessage(w.deps(), must(s.get('alice/1')), c.commit);
    expect(treeMembers(r.state.ratchetTree).map((m) => `${m.account}/${m.deviceId}`)).toEqual([
      'alice/1',
      'bob/1',
      'bob/2',
    ]);
    // The device list no longer names bob/2's key (revoked): its Welcome's tree, and a commit adding a
    // device with a key the list does not name, are refused.
    w.listed.set('bob/2', (await p.ed25519Generate()).publicKey);
    await expect(
      joinMlsGroup(w.deps(), {
        welcome: must(c.welcome),
        keyPackage: k.own.bytes,
        secrets: k.own.secrets,
        signingSeed: bob2.signing.secretKey,
      }),
    ).rejects.toMatchObject({ code: 'GROUP_CREDENTIAL_INVALID' });
    await expect(processMlsMessage(w.deps(), must(s.get('alice/1')), c.commit)).rejects.toMatchObject({
      code: 'GROUP_CREDENTIAL_INVALID',
    });
  });

  it('keeps removals and metadata changes in separate commits (ts-mls#742)', async () => {
    const w = new World();
    const [alice, bob, carol] = [await w.device('alice'), await w.device('bob'), await w.device('carol')];
    const s = await w.group(alice, [bob, carol]);
    await expect(
      commitMlsChanges(w.deps(), must(s.get('alice/1')), {
        remove: [2],
        metadata: { name: 'X', admins: ['alice'] },
      }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('removes a member, who cannot read what is sent afterwards', async () => {
    const w = new World();
    const [alice, bob, carol] = [await w.device('alice'), await w.device('bob'), await w.device('carol')];
    const s = await w.group(alice, [bob, carol]);
    const c = await commitMlsChanges(w.deps(), must(s.get('alice/1')), { remove: [2] });
    const carolAfter = await processMlsMessage(w.deps(), must(s.get('carol/1')), c.commit);
    expect(carolAfter.kind === 'commit' && carolAfter.removedSelf).toBe(true);
    const bobAfter = await processMlsMessage(w.deps(), must(s.get('bob/1')), c.commit);
    const secret = await encryptMlsMessage(w.deps(), c.state, utf8('after carol left'));
    expect((await text(w, bobAfter.state, secret.message)).text).toBe('after carol left');
    // Carol's old state is of the old epoch; her new one knows she is out.
    await expect(processMlsMessage(w.deps(), must(s.get('carol/1')), secret.message)).rejects.toMatchObject({
      code: 'GROUP_COMMIT_MISSING',
    });
    await expect(processMlsMessage(w.deps(), carolAfter.state, secret.message)).rejects.toThrow();
  });

  it('a leaving admin proposes its removal; another member commits it and the oldest member becomes admin', async () => {
    const w = new World();
    const [alice, bob, carol] = [await w.device('alice'), await w.device('bob'), await w.device('carol')];
    const s = await w.group(alice, [bob, carol]);
    const leave = await proposeMlsSelfRemoval(w.deps(), must(s.get('alice/1')));
    const bob1 = await processMlsMessage(w.deps(), must(s.get('bob/1')), leave.message);
    const carol1 = await processMlsMessage(w.deps(), must(s.get('carol/1')), leave.message);
    expect(bob1.kind).toBe('proposal');
    // Carol commits the pending proposal; no admin is left, so bob (lowest leaf) is the admin now.
    const c = await commitMlsChanges(w.deps(), carol1.state, {});
    const bob2 = await processMlsMessage(w.deps(), bob1.state, c.commit);
    const members = treeMembers(bob2.state.ratchetTree);
    expect(members.map((m) => m.account)).toEqual(['bob', 'carol']);
    expect(effectiveAdmins(stateMetadata(bob2.state).admins, members)).toEqual(['bob']);
    // Bob may now act as admin (rename), carol may not.
    const renamed = await commitMlsChanges(w.deps(), bob2.state, {
      metadata: { name: 'Bob’s', admins: ['bob', 'carol'] },
    });
    expect(stateMetadata((await processMlsMessage(w.deps(), c.state, renamed.commit)).state).admins).toEqual([
      'bob',
      'carol',
    ]);
    await expect(
      commitMlsChanges(w.deps(), c.state, { metadata: { name: 'Carol’s', admins: ['bob'] } }),
    ).rejects.toMatchObject({
      code: 'NOT_GROUP_ADMIN',
    });
    // A proposal to remove someone else's device is not accepted.
    const [dave] = [await w.device('dave')];
    void dave;
    const cs = await groupCiphersuite(p, 'classic');
    const { createProposal } = await import('ts-mls');
    const evil = await createProposal(
      bob2.state,
      false,
      { proposalType: 'remove', remove: { removed: 2 } },
      cs,
    );
    await expect(processMlsMessage(w.deps(), c.state, encodeMlsMessage(evil.message))).rejects.toMatchObject({
      code: 'NOT_GROUP_ADMIN',
    });
  });
});
