/** The bounds of a session: the skipped-key store keeps at most 2,000 keys, evicting the oldest. */

import { decryptMessage, encryptMessage, fromUtf8, SESSION_LIMITS } from '@sotto/crypto';
import { describe, expect, it } from 'vitest';
import { providerCases } from '../helpers/providers.js';
import { establish, expectCode, text } from './support.js';

const cases = await providerCases();

describe.each(cases.slice(0, 1))('session limits ($label)', ({ provider: p }) => {
  it('keeps at most 2,000 skipped keys, evicting the oldest', async () => {
    const { a, b } = await establish(p);
    let sender = a;
    const sent: Uint8Array[] = [];
    for (let i = 0; i <= 2600; i++) {
      const m = await encryptMessage(p, sender, text(`#${i}`));
      sender = m.state;
      sent.push(m.ciphertext);
    }
    const at = (i: number) => sent[i] as Uint8Array;
    let bob = b;
    for (const i of [1000, 2000, 2600]) bob = (await decryptMessage(p, bob, at(i))).state;
    expect(bob.skipped.length).toBe(SESSION_LIMITS.maxSkippedKeys);
    // 2,598 keys were skipped; the 598 oldest (#0..#597) are gone, so those messages cannot be read.
    await expectCode(() => decryptMessage(p, bob, at(0)), 'DUPLICATE_MESSAGE');
    await expectCode(() => decryptMessage(p, bob, at(597)), 'DUPLICATE_MESSAGE');
    const late = await decryptMessage(p, bob, at(598));
    expect(fromUtf8(late.plaintext)).toBe('#598');
    expect(late.state.skipped.length).toBe(SESSION_LIMITS.maxSkippedKeys - 1);
    expect(fromUtf8((await decryptMessage(p, late.state, at(2599))).plaintext)).toBe('#2599');
  });
});
