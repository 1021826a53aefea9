/**
 * Wycheproof ML-KEM-768 (FIPS 203) vectors against every backend: key generation from seeds, decapsulation
 * (including implicit rejection of modified ciphertexts) and encapsulation with fixed randomness.
 *
 * - mlkem_768_keygen_seed_test.json: KeyGen(d || z) must give exactly ek and dk.
 * - mlkem_768_test.json: KeyGen(seed), then Decaps(c). `invalid` cases have a seed or ciphertext of the wrong
 *   length and must throw INVALID_ARGUMENT (FIPS 203 §7.3 type checks); "random" and "bit flipped"
 *   ciphertexts are `valid` and must give the implicit-rejection key K.
 * - mlkem_768_encaps_test.json: Encaps(ek, m). Keys with a coefficient ≥ q must throw INVALID_PUBLIC_KEY
 *   (FIPS 203 §7.2 modulus check); keys of the wrong length throw INVALID_ARGUMENT (§7.2 type check).
 */
import { describe, expect, it } from 'vitest';
import { equalBytes } from '../../src/bytes.js';
import { providerCases } from '../helpers/providers.js';
import { hex, loadWycheproof, rejectionCode, runCases } from './wycheproof.js';

const cases = await providerCases();
const keygenFile = loadWycheproof('mlkem_768_keygen_seed_test.json');
const decapsFile = loadWycheproof('mlkem_768_test.json');
const encapsFile = loadWycheproof('mlkem_768_encaps_test.json');

describe.each(cases)('Wycheproof ML-KEM-768 on $label', ({ provider }) => {
  it('mlkem_768_keygen_seed_test.json: 100 cases', async () => {
    const { count, failures } = await runCases(keygenFile.testGroups, async (t) => {
      const { publicKey, secretKey } = await provider.mlkem768Generate(hex(t, 'seed'));
      if (!equalBytes(publicKey, hex(t, 'ek'))) return 'ek differs';
      return equalBytes(secretKey, hex(t, 'dk')) || 'dk differs';
    });
    expect(failures).toEqual([]);
    expect(count).toBeGreaterThan(0);
    expect(count).toBe(100);
  });

  it('mlkem_768_test.json: 193 cases (153 valid, 40 invalid)', async () => {
    const { count, failures } = await runCases(decapsFile.testGroups, async (t) => {
      const decaps = async () => {
        const { publicKey, secretKey } = await provider.mlkem768Generate(hex(t, 'seed'));
        if (typeof t.ek === 'string' && !equalBytes(publicKey, hex(t, 'ek'))) throw new Error('ek differs');
        return provider.mlkem768Decapsulate(hex(t, 'c'), secretKey);
      };
      if (t.result === 'valid') return equalBytes(await decaps(), hex(t, 'K')) || 'K differs';
      const code = await rejectionCode(decaps());
      return code === 'INVALID_ARGUMENT' || `expected INVALID_ARGUMENT, got ${code}`;
    });
    expect(failures).toEqual([]);
    expect(count).toBeGreaterThan(0);
    expect(count).toBe(193);
  });

  it('mlkem_768_encaps_test.json: 265 cases (133 valid, 132 invalid)', async () => {
    const tally = { valid: 0, modulus: 0, length: 0 };
    const { count, failures } = await runCases(encapsFile.testGroups, async (t) => {
      const ek = hex(t, 'ek');
      const run = provider.mlkem768Encapsulate(ek, hex(t, 'm'));
      if (t.result === 'valid') {
        tally.valid++;
        const { ciphertext, sharedSecret } = await run;
        if (!equalBytes(ciphertext, hex(t, 'c'))) return 'c differs';
        return equalBytes(sharedSecret, hex(t, 'K')) || 'K differs';
      }
      const wrongLength = ek.length !== 1184;
      tally[wrongLength ? 'length' : 'modulus']++;
      const expected = wrongLength ? 'INVALID_ARGUMENT' : 'INVALID_PUBLIC_KEY';
      const code = await rejectionCode(run);
      return code === expected || `expected ${expected}, got ${code}`;
    });
    expect(failures).toEqual([]);
    expect(count).toBeGreaterThan(0);
    expect(count).toBe(265);
    expect(tally).toEqual({ valid: 133, modulus: 112, length: 20 });
  });
});
