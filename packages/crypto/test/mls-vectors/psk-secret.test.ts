/**
 * psk_secret.json (leading subset, see fixtures/mls/SOURCE): the pre-shared-key secret (RFC 9420 §8.4)
 * chained over 0 to 10 external PSKs. ts-mls must derive each vector's psk_secret, and the result must
 * change when two PSKs swap places (the index is bound into each step).
 */
import { computePskSecret, type PreSharedKeyID } from 'ts-mls/presharedkey.js';
import { describe } from 'vitest';
import { equalBytes } from '../../src/bytes.js';
import { suiteImpl, testEverySuite } from './suites.js';
import { hex, loadVectors, same, type Verdict } from './vectors.js';

interface PskSecretVector {
  readonly cipher_suite: number;
  readonly psks: readonly { psk_id: string; psk: string; psk_nonce: string }[];
  readonly psk_secret: string;
}

async function check(v: PskSecretVector): Promise<Verdict[]> {
  const impl = await suiteImpl(v.cipher_suite);
  const psks: [PreSharedKeyID, Uint8Array][] = v.psks.map((p) => [
    { psktype: 'external', pskId: hex(p.psk_id), pskNonce: hex(p.psk_nonce) },
    hex(p.psk),
  ]);
  const secret = await computePskSecret(psks, impl);
  const out: Verdict[] = [same('psk_secret', secret, hex(v.psk_secret))];
  if (psks.length >= 2) {
    const [first, second, ...rest] = psks as [[PreSharedKeyID, Uint8Array], [PreSharedKeyID, Uint8Array]];
    const swapped = await computePskSecret([second, first, ...rest], impl);
    out.push(!equalBytes(swapped, secret) || 'swapping two PSKs gave the same psk_secret');
  }
  return out;
}

describe('MLS psk_secret.json on ts-mls', () => {
  testEverySuite(loadVectors<PskSecretVector>('psk_secret.json'), {
    suites: [1, 2],
    unavailable: [],
    casesPerSuite: 11,
    what: ': 0 to 10 PSKs',
    label: (v) => `suite ${v.cipher_suite}, ${v.psks.length} PSKs`,
    check,
  });
});
