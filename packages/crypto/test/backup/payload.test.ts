import { inspect } from 'node:util';
import {
  decodeBackupPayload,
  encodeBackupPayload,
  encodeIdentityKeyPair,
  generateIdentityKeyPair,
  openBackup,
  sealBackup,
} from '@sotto/crypto';
import { describe, expect, it } from 'vitest';
import { expectCode, providers, T0 } from '../keys/support.js';

describe.each(providers())('backup payload ($label)', ({ provider: p }) => {
  it('round-trips the identity through a sealed backup and renders as [redacted]', async () => {
    const identity = await generateIdentityKeyPair(p);
    const key = { kind: 'raw' as const, key: p.randomBytes(32) };
    const bytes = encodeBackupPayload({ identity, accountName: 'alice', createdAt: T0 });
    const sealed = await sealBackup(p, { accountName: 'alice', payload: bytes, key });
    const back = await decodeBackupPayload(p, await openBackup(p, sealed, { accountName: 'alice', key }));
    expect(back.accountName).toBe('alice');
    expect(back.createdAt).toBe(T0);
    expect(back.identity.publicKey).toEqual(identity.publicKey);
    expect(back.identity.secretKey).toEqual(identity.secretKey);
    expect(String(back)).toBe('[redacted]');
    expect(JSON.stringify(back)).toBe('"[redacted]"');
    expect(inspect(back)).toBe('[redacted]');
    expect(String(back.identity)).toBe('[redacted]');
  });

  it('rejects type confusion, a spliced key pair, truncation, trailing bytes and another version', async () => {
    const identity = await generateIdentityKeyPair(p);
    const other = await generateIdentityKeyPair(p);
    const bytes = encodeBackupPayload({ identity, accountName: 'alice', createdAt: T0 });
    await expectCode(() => decodeBackupPayload(p, encodeIdentityKeyPair(identity)), 'MALFORMED_ENCODING');
    const spliced = encodeBackupPayload({
      identity: { publicKey: other.publicKey, secretKey: identity.secretKey },
      accountName: 'alice',
      createdAt: T0,
    });
    await expectCode(() => decodeBackupPayload(p, spliced), 'MALFORMED_ENCODING');
    for (let cut = 0; cut < bytes.length; cut += 3) {
      await expectCode(() => decodeBackupPayload(p, bytes.subarray(0, cut)), 'MALFORMED_ENCODING');
    }
    await expectCode(() => decodeBackupPayload(p, new Uint8Array([...bytes, 0])), 'MALFORMED_ENCODING');
    const v2 = bytes.slice();
    v2[0] = 2;
    await expectCode(() => decodeBackupPayload(p, v2), 'UNSUPPORTED_VERSION');
    const secretAsPublic = bytes.slice();
    secretAsPublic[3] = 0x81; // the identity public key's tag replaced by the secret-key tag
    await expectCode(() => decodeBackupPayload(p, secretAsPublic), 'WRONG_KEY_TYPE');
    await expectCode(
      () => encodeBackupPayload({ identity, accountName: '', createdAt: T0 }),
      'INVALID_ARGUMENT',
    );
  });
});
