import { describe, expect, it } from 'vitest';
import { generateMemberKeyPackage, verifyMemberKeyPackage } from '../../src/mls/index.js';
import { p } from './support.js';

describe('member KeyPackages', () => {
  it('verify only for the device and key the device list names, in the right suite', async () => {
    const signing = await p.ed25519Generate();
    const other = await p.ed25519Generate();
    const device = { account: 'alice', deviceId: 3 };
    const own = await generateMemberKeyPackage(p, { device, signing, suite: 'classic', now: Date.now() });
    const kp = await verifyMemberKeyPackage(p, own.bytes, {
      suite: 'classic',
      device,
      signingKey: signing.publicKey,
    });
    expect(kp.leafNode.signaturePublicKey).toEqual(signing.publicKey);
    await expect(
      verifyMemberKeyPackage(p, own.bytes, { suite: 'classic', device, signingKey: other.publicKey }),
    ).rejects.toMatchObject({ code: 'GROUP_CREDENTIAL_INVALID' });
    await expect(
      verifyMemberKeyPackage(p, own.bytes, {
        suite: 'classic',
        device: { account: 'alice', deviceId: 4 },
        signingKey: signing.publicKey,
      }),
    ).rejects.toMatchObject({ code: 'GROUP_CREDENTIAL_INVALID' });
    await expect(
      verifyMemberKeyPackage(p, own.bytes, { suite: 'xwing', device, signingKey: signing.publicKey }),
    ).rejects.toMatchObject({ code: 'MLS_INVALID' });
    // Any flipped bit: malformed, or a signature that does not verify, or another key.
    for (const at of [10, 60, own.bytes.length - 70, own.bytes.length - 1]) {
      const bad = own.bytes.slice();
      bad[at] = (bad[at] as number) ^ 0x01;
      await expect(
        verifyMemberKeyPackage(p, bad, { suite: 'classic', device, signingKey: signing.publicKey }),
      ).rejects.toMatchObject({ code: expect.stringMatching(/^(MLS_INVALID|GROUP_CREDENTIAL_INVALID)$/) });
    }
  });

  it('keep the private half out of logs', async () => {
    const signing = await p.ed25519Generate();
    const own = await generateMemberKeyPackage(p, {
      device: { account: 'alice', deviceId: 1 },
      signing,
      suite: 'classic',
      now: Date.now(),
    });
    expect(String(own.secrets)).toBe('[redacted]');
    expect(JSON.stringify({ s: own.secrets })).toBe('{"s":"[redacted]"}');
  });
});
