/**
 * Wycheproof X25519 (RFC 7748) and Ed25519 (RFC 8032) vectors against every backend.
 *
 * Policy for `acceptable` cases:
 * - X25519: public keys on the twist, non-canonical u (≥ p, reduced mod p per RFC 7748 §5) and keys with
 *   the high bit set are accepted and must give exactly the expected shared secret. Low-order public keys
 *   (the `ZeroSharedSecret` cases, RFC 7748 §6.1) are rejected with ZERO_SHARED_SECRET.
 * - Ed25519: the file has no `acceptable` cases; every `invalid` case (non-canonical encodings, S ≥ L,
 *   malleated or truncated signatures) must return false, never throw.
 */
import { describe, expect, it } from 'vitest';
import { equalBytes, isAllZero } from '../../src/bytes.js';
import { providerCases } from '../helpers/providers.js';
import { hex, loadWycheproof, rejectionCode, runCases } from './wycheproof.js';

const cases = await providerCases();
const x25519File = loadWycheproof('x25519_test.json');
const ed25519File = loadWycheproof('ed25519_test.json');

describe.each(cases)('Wycheproof curves on $label', ({ provider }) => {
  it('x25519_test.json: 518 cases (264 valid, 254 acceptable of which 31 low-order are rejected)', async () => {
    const tally = { valid: 0, acceptable: 0, rejectedLowOrder: 0 };
    const { count, failures } = await runCases(x25519File.testGroups, async (t) => {
      tally[t.result === 'valid' ? 'valid' : 'acceptable']++;
      const expected = hex(t, 'shared');
      const result = provider.x25519(hex(t, 'private'), hex(t, 'public'));
      if (isAllZero(expected)) {
        // Our policy: a low-order public key is rejected, not turned into an all-zero key.
        tally.rejectedLowOrder++;
        const code = await rejectionCode(result);
        return code === 'ZERO_SHARED_SECRET' || `expected ZERO_SHARED_SECRET, got ${code}`;
      }
      return equalBytes(await result, expected) || 'shared secret differs';
    });
    expect(failures).toEqual([]);
    expect(count).toBeGreaterThan(0);
    expect(count).toBe(518);
    expect(tally).toEqual({ valid: 264, acceptable: 254, rejectedLowOrder: 31 });
  });

  it('ed25519_test.json: 151 cases (88 valid, 63 invalid)', async () => {
    const tally = { valid: 0, invalid: 0 };
    const { count, failures } = await runCases(ed25519File.testGroups, async (t, group) => {
      const pk = hex(group.publicKey as Record<string, unknown>, 'pk');
      const ok = await provider.ed25519Verify(pk, hex(t, 'msg'), hex(t, 'sig'));
      if (t.result === 'valid') {
        tally.valid++;
        return ok || 'valid signature rejected';
      }
      tally.invalid++;
      return !ok || 'invalid signature accepted';
    });
    expect(failures).toEqual([]);
    expect(count).toBeGreaterThan(0);
    expect(count).toBe(151);
    expect(tally).toEqual({ valid: 88, invalid: 63 });
  });
});
