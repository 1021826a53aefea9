/**
 * Wycheproof AES-GCM, HKDF-SHA-256 (RFC 5869) and HMAC-SHA-256 vectors against every backend.
 *
 * - AES-GCM: only the groups Sotto's contract covers run here: 256-bit key, 96-bit IV, 128-bit tag
 *   (66 of 316 cases). Other key and IV sizes are rejected with INVALID_ARGUMENT (strictness tests).
 * - HMAC: only full-length (256-bit) tags; Sotto never truncates MACs (87 of 174 cases). An `invalid`
 *   case is a modified tag: the MAC we compute must differ from it.
 * - HKDF: `invalid` cases ask for more than 255·HashLen bytes and must throw INVALID_ARGUMENT.
 */
import { describe, expect, it } from 'vitest';
import { concatBytes, equalBytes } from '../../src/bytes.js';
import { providerCases } from '../helpers/providers.js';
import { hex, loadWycheproof, rejectionCode, runCases } from './wycheproof.js';

const cases = await providerCases();
const aesFile = loadWycheproof('aes_gcm_test.json');
const hkdfFile = loadWycheproof('hkdf_sha256_test.json');
const hmacFile = loadWycheproof('hmac_sha256_test.json');

const aesGroups = aesFile.testGroups.filter((g) => g.keySize === 256 && g.ivSize === 96 && g.tagSize === 128);
const hmacGroups = hmacFile.testGroups.filter((g) => g.tagSize === 256);

describe.each(cases)('Wycheproof symmetric primitives on $label', ({ provider }) => {
  it('aes_gcm_test.json (256-bit key, 96-bit IV, 128-bit tag): 66 cases', async () => {
    const { count, failures } = await runCases(aesGroups, async (t) => {
      const [key, iv, aad, msg] = [hex(t, 'key'), hex(t, 'iv'), hex(t, 'aad'), hex(t, 'msg')];
      const sealed = concatBytes(hex(t, 'ct'), hex(t, 'tag'));
      if (t.result === 'valid') {
        if (!equalBytes(await provider.aes256GcmSeal(key, iv, msg, aad), sealed)) return 'seal differs';
        return equalBytes(await provider.aes256GcmOpen(key, iv, sealed, aad), msg) || 'open differs';
      }
      const code = await rejectionCode(provider.aes256GcmOpen(key, iv, sealed, aad));
      return code === 'AUTH_FAILED' || `expected AUTH_FAILED, got ${code}`;
    });
    expect(failures).toEqual([]);
    expect(count).toBeGreaterThan(0);
    expect(count).toBe(66);
  });

  it('hkdf_sha256_test.json: 86 cases', async () => {
    const { count, failures } = await runCases(hkdfFile.testGroups, async (t) => {
      const run = provider.hkdfSha256(hex(t, 'ikm'), hex(t, 'salt'), hex(t, 'info'), t.size as number);
      if (t.result === 'valid') return equalBytes(await run, hex(t, 'okm')) || 'okm differs';
      const code = await rejectionCode(run);
      return code === 'INVALID_ARGUMENT' || `expected INVALID_ARGUMENT, got ${code}`;
    });
    expect(failures).toEqual([]);
    expect(count).toBeGreaterThan(0);
    expect(count).toBe(86);
  });

  it('hmac_sha256_test.json (full-length tags): 87 cases', async () => {
    const { count, failures } = await runCases(hmacGroups, async (t) => {
      const matches = equalBytes(await provider.hmacSha256(hex(t, 'key'), hex(t, 'msg')), hex(t, 'tag'));
      return matches === (t.result === 'valid') || (matches ? 'modified tag matched' : 'tag differs');
    });
    expect(failures).toEqual([]);
    expect(count).toBeGreaterThan(0);
    expect(count).toBe(87);
  });
});
