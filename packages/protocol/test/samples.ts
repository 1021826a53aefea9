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
  envelope: [
    {
      t: 'envelope',
      envelopeId: b(16, 4),
      from: { account: 'alice', deviceId: 1 },
      serverTime: 1_790_000_000_002,
      body: b(300),
    },
  ],
};

/** Every sample frame, flattened. */
export const ALL_SAMPLES = Object.values(SAMPLE_FRAMES).flat();
