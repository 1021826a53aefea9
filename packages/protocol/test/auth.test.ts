import { AUTH_CHALLENGE_LABEL, authChallengeMessage, SottoError } from '@sotto/protocol';
import { describe, expect, it } from 'vitest';

const base = {
  nonce: new Uint8Array(32).fill(9),
  account: 'alice',
  deviceId: 3,
  origin: 'https://chat.example.org',
};

describe('auth challenge message', () => {
  it('is deterministic and starts with the length-prefixed label', () => {
    const m = authChallengeMessage(base);
    expect(authChallengeMessage({ ...base })).toEqual(m);
    const label = new TextEncoder().encode(AUTH_CHALLENGE_LABEL);
    expect(m[0]).toBe(0);
    expect(m[1]).toBe(label.length);
    expect(m.subarray(2, 2 + label.length)).toEqual(label);
  });

  it('binds the nonce, account, device and origin', () => {
    const m = authChallengeMessage(base);
    const variants = [
      { ...base, nonce: new Uint8Array(32).fill(8) },
      { ...base, account: 'alicf' },
      { ...base, deviceId: 4 },
      { ...base, origin: 'https://evil.example.org' },
    ];
    for (const v of variants) expect(authChallengeMessage(v)).not.toEqual(m);
  });

  it('is unambiguous: shifting characters between fields changes the message', () => {
    const a = authChallengeMessage({ ...base, account: 'alice', origin: 'https://x.org' });
    const b = authChallengeMessage({ ...base, account: 'alic', origin: 'ehttps://x.org' });
    expect(a).not.toEqual(b);
  });

  it.each([
    ['short nonce', { ...base, nonce: new Uint8Array(31) }],
    ['bad account', { ...base, account: 'Alice' }],
    ['negative device', { ...base, deviceId: -1 }],
    ['empty origin', { ...base, origin: '' }],
  ])('refuses a %s', (_name, f) => {
    expect(() => authChallengeMessage(f)).toThrow(SottoError);
  });
});
