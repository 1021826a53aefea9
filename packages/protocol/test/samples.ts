/** One valid sample of every frame type, used by the round-trip and mutation tests. */

import type { FrameOf, FrameType } from '@sotto/protocol';

const b = (n: number, fill = 7) => new Uint8Array(n).fill(fill);
const addr = { account: 'bob', deviceId: 2 };

/** Every frame type with a sample; the mapped type makes a missing type a compile error. */
export const SAMPLE_FRAMES: { [T in FrameType]: FrameOf<T>[] } = {
  auth: [{ t: 'auth', id: 1, account: 'alice', deviceId: 1, signature: b(64) }],
  'keys.upload': [
    { t: 'keys.upload', id: 2, kemPrekeys: [], oneTimePrekeys: [] },
    {
      t: 'keys.upload',
      id: 3,
      signedPrekey: b(40),
      kemPrekeys: [b(1250), b(1250, 8)],
      lastResortKemPrekey: b(1250, 9),
      oneTimePrekeys: [b(36), b(36, 1)],
    },
  ],
  'keys.count': [{ t: 'keys.count', id: 4 }],
  'keys.bundles': [{ t: 'keys.bundles', id: 5, account: 'bob' }],
  'devices.get': [{ t: 'devices.get', id: 6, account: 'bob.smith' }],
  'devices.publish': [
    { t: 'devices.publish', id: 7, deviceList: b(200) },
    { t: 'devices.publish', id: 8, deviceList: b(200), certificate: b(150) },
  ],
  'devices.revoke': [{ t: 'devices.revoke', id: 9, deviceId: 3, deviceList: b(120) }],
  'backup.put': [{ t: 'backup.put', id: 10, blob: b(500) }],
  'contacts.request': [{ t: 'contacts.request', id: 11, account: 'carol_1' }],
  'contacts.accept': [{ t: 'contacts.accept', id: 12, account: 'carol-2' }],
  'contacts.decline': [{ t: 'contacts.decline', id: 13, account: 'dave' }],
  'contacts.remove': [{ t: 'contacts.remove', id: 14, account: 'dave' }],
  'contacts.block': [{ t: 'contacts.block', id: 15, account: 'eve' }],
  'contacts.unblock': [{ t: 'contacts.unblock', id: 16, account: 'eve' }],
  'contacts.list': [{ t: 'contacts.list', id: 17 }],
  'presence.set': [
    { t: 'presence.set', id: 18, state: 'away' },
    { t: 'presence.set', id: 19, state: 'busy', text: 'In a meeting ☕ until 3' },
  ],
  send: [
    { t: 'send', id: 20, to: 'bob', messages: [{ ...addr, body: b(100) }] },
    {
      t: 'send',
      id: 0xffff_ffff,
      to: 'bob',
      messages: [
        { ...addr, body: b(80) },
        { account: 'alice', deviceId: 7, body: b(80, 1) },
      ],
    },
  ],
  ack: [{ t: 'ack', envelopeIds: [b(16, 1), b(16, 2)] }],
  'files.authorize': [{ t: 'files.authorize', id: 30, size: 104_857_600 }],
  'files.authorize.result': [
    { t: 'files.authorize.result', id: 30, token: 'A'.repeat(43), expiresAt: 1_790_000_086_400 },
  ],
  'files.delete': [{ t: 'files.delete', id: 31, fileId: '0123456789abcdef0123456789abcdef' }],
  'mls.keys.upload': [
    { t: 'mls.keys.upload', id: 40, keyPackages: [] },
    { t: 'mls.keys.upload', id: 41, keyPackages: [b(2700), b(2700, 8)], lastResort: b(2700, 9) },
  ],
  'mls.keys.count': [{ t: 'mls.keys.count', id: 42 }],
  'mls.keys.count.result': [{ t: 'mls.keys.count.result', id: 42, count: 7, lastResort: true }],
  'mls.keys.low': [{ t: 'mls.keys.low', count: 3 }],
  'mls.keys.claim': [{ t: 'mls.keys.claim', id: 43, devices: [addr, { account: 'alice', deviceId: 7 }] }],
  'mls.keys.claim.result': [
    { t: 'mls.keys.claim.result', id: 43, keyPackages: [{ ...addr, keyPackage: b(2700) }] },
    { t: 'mls.keys.claim.result', id: 44, keyPackages: [] },
  ],
  'groups.create': [{ t: 'groups.create', id: 45, groupId: b(16, 5), suite: 0xf031 }],
  'groups.commit': [
    {
      t: 'groups.commit',
      id: 46,
      groupId: b(16, 5),
      epoch: 0,
      commit: b(3000),
      welcome: b(5000),
      added: [addr],
      removed: [],
    },
    {
      t: 'groups.commit',
      id: 47,
      groupId: b(16, 5),
      epoch: 9,
      commit: b(400),
      added: [],
      removed: [{ account: 'alice', deviceId: 7 }],
    },
  ],
  'groups.commit.result': [{ t: 'groups.commit.result', id: 46, epoch: 1, serverTime: 1_790_000_000_003 }],
  'groups.send': [{ t: 'groups.send', id: 48, groupId: b(16, 5), epoch: 1, body: b(200) }],
  'groups.sent': [{ t: 'groups.sent', id: 48, envelopeId: b(16, 6), serverTime: 1_790_000_000_004 }],
  'groups.commits': [
    { t: 'groups.commits', id: 49, groupId: b(16, 5), since: 0 },
    { t: 'groups.commits', id: 50, groupId: b(16, 5), since: 3, limit: 8 },
  ],
  'groups.commits.result': [
    {
      t: 'groups.commits.result',
      id: 49,
      commits: [
        { epoch: 0, commit: b(3000), welcome: b(5000) },
        { epoch: 1, commit: b(400, 1) },
      ],
      more: false,
    },
    { t: 'groups.commits.result', id: 50, commits: [], more: true },
  ],
  'groups.leave': [{ t: 'groups.leave', id: 51, groupId: b(16, 5) }],
  ping: [{ t: 'ping', id: 0 }],
  pong: [{ t: 'pong', id: 21 }],
  challenge: [{ t: 'challenge', nonce: b(32), serverTime: 1_790_000_000_000 }],
  ok: [{ t: 'ok', id: 22 }],
  error: [
    { t: 'error', code: 'UNAUTHENTICATED', message: 'Authenticate first.' },
    { t: 'error', id: 23, code: 'RATE_LIMITED', message: 'Slow down.' },
    {
      t: 'error',
      id: 24,
      code: 'DEVICE_MISMATCH',
      message: 'Devices changed.',
      devices: { missing: [addr], extra: [{ account: 'alice', deviceId: 9 }], stale: [] },
    },
    { t: 'error', id: 25, code: 'STALE_EPOCH', message: 'The group moved on.', epoch: 12 },
  ],
  'keys.count.result': [{ t: 'keys.count.result', id: 25, oneTime: 80, kem: 0 }],
  'keys.bundles.result': [
    {
      t: 'keys.bundles.result',
      id: 26,
      account: 'bob',
      identityKey: b(33),
      deviceList: b(200),
      bundles: [
        {
          deviceId: 1,
          certificate: b(150),
          signedPrekey: b(100),
          kemPrekey: b(1250),
          kemLastResort: false,
          oneTimePrekey: b(36),
        },
        { deviceId: 2, certificate: b(150), signedPrekey: b(100), kemPrekey: b(1250), kemLastResort: true },
      ],
    },
  ],
  'keys.low': [{ t: 'keys.low', oneTime: 3, kem: 19 }],
  'devices.get.result': [
    {
      t: 'devices.get.result',
      id: 27,
      account: 'bob',
      identityKey: b(33),
      deviceList: b(200),
      certificates: [b(150), b(150, 1)],
    },
  ],
  'devices.changed': [{ t: 'devices.changed', account: 'bob' }],
  'contacts.list.result': [
    {
      t: 'contacts.list.result',
      id: 28,
      contacts: [
        { account: 'bob', state: 'accepted' },
        { account: 'eve', state: 'blocked' },
      ],
    },
  ],
  'contacts.event': [{ t: 'contacts.event', kind: 'accept', account: 'bob', state: 'accepted' }],
  presence: [
    { t: 'presence', account: 'bob', state: 'online' },
    { t: 'presence', account: 'bob', state: 'offline', text: 'gone fishing', lastSeen: 1_790_000_000_000 },
  ],
  sent: [
    { t: 'sent', id: 29, envelopeIds: [b(16, 3)], serverTime: 1_790_000_000_001 },
    { t: 'sent', id: 28, envelopeIds: [b(16, 4)], serverTime: 1_790_000_000_002, recipientBusy: true },
  ],
  'notify.email.get': [{ t: 'notify.email.get', id: 40 }],
  'notify.email.set': [
    { t: 'notify.email.set', id: 41, address: 'bob@example.org' },
    { t: 'notify.email.set', id: 42, address: "o'neil+sotto@mail.xn--bcher-kva.example" },
  ],
  'notify.email.verify': [{ t: 'notify.email.verify', id: 43, code: '012345' }],
  'notify.email.remove': [{ t: 'notify.email.remove', id: 44 }],
  'notify.email.state': [
    { t: 'notify.email.state', id: 40, available: false, verified: false },
    { t: 'notify.email.state', id: 41, available: true, address: 'bob@example.org', verified: true },
  ],
  'calls.ice': [{ t: 'calls.ice', id: 45 }],
  'calls.ice.result': [
    { t: 'calls.ice.result', id: 45, iceServers: [], ttlSeconds: 0 },
    {
      t: 'calls.ice.result',
      id: 46,
      iceServers: [
        { urls: ['stun:turn.example.org:3478'] },
        {
          urls: ['turn:turn.example.org:3478?transport=udp', 'turns:[2001:db8::1]:5349?transport=tcp'],
          username: '1790021600:Q2hhcmxpZQ',
          credential: 'Jm6kV0mMxqj3T5bI2rXGkWJqL1Q=',
        },
      ],
      ttlSeconds: 21_600,
    },
  ],
  envelope: [
    {
      t: 'envelope',
      envelopeId: b(16, 4),
      from: { account: 'alice', deviceId: 1 },
      serverTime: 1_790_000_000_002,
      body: b(300),
    },
    {
      t: 'envelope',
      envelopeId: b(16, 6),
      from: { account: 'alice', deviceId: 1 },
      serverTime: 1_790_000_000_005,
      body: b(200),
      group: { id: b(16, 5), kind: 'message', epoch: 1 },
    },
  ],
};

/** Every sample frame, flattened. */
export const ALL_SAMPLES = Object.values(SAMPLE_FRAMES).flat();
