/**
 * The backends every crypto test runs against: `node`, `portable-webcrypto` (the runtime's WebCrypto where it
 * supports an algorithm) and `portable-noble` (`subtle: null`, pure JS). Import this in any test that should
 * hold for every backend.
 */

import { createNodeProvider, createPortableProvider } from '../../src/provider/index.js';
import type { CryptoProvider } from '../../src/provider.js';

/** One backend under test. */
export interface ProviderCase {
  readonly label: string;
  readonly provider: CryptoProvider;
}

let cached: Promise<ProviderCase[]> | undefined;

/** The three backends, created once per test file (providers hold no state, so sharing them is safe). */
export function providerCases(): Promise<Array<{ label: string; provider: CryptoProvider }>> {
  cached ??= (async () => [
    { label: 'node', provider: createNodeProvider() },
    { label: 'portable-webcrypto', provider: await createPortableProvider() },
    { label: 'portable-noble', provider: await createPortableProvider({ subtle: null }) },
  ])();
  return cached;
}
