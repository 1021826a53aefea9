/**
 * The MLS ciphersuites a Sotto group may use (ADR 0018): X-Wing (post-quantum hybrid KEM, like 1:1
 * sessions) by default, and RFC 9420 suite 1 (X25519) as the classical fallback, both with Ed25519
 * signatures. ts-mls supplies the KEM, AEAD, hash and KDF; signatures go through Sotto's own
 * {@link CryptoProvider}, so MLS verifies Ed25519 with the same strict, cofactorless rule as every other
 * Sotto signature (ADR 0003), and a member signs with the device key's 32-byte seed.
 */

import {
  type CiphersuiteImpl,
  type CiphersuiteName,
  ciphersuites,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  type Signature,
} from 'ts-mls';
import { SottoError } from '../errors.js';
import type { CryptoProvider } from '../provider.js';

/** A group's ciphersuite, as the SDK names it. */
export type GroupSuite = 'xwing' | 'classic';

/** The default suite of a new group. */
export const DEFAULT_GROUP_SUITE: GroupSuite = 'xwing';

/** The RFC 9420 names of the suites. */
export const GROUP_SUITE_NAMES = {
  xwing: 'MLS_256_XWING_AES256GCM_SHA512_Ed25519',
  classic: 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519',
} as const satisfies Record<GroupSuite, CiphersuiteName>;

/** The code point of a suite (what `groups.create` records). */
export function groupSuiteCode(suite: GroupSuite): number {
  return ciphersuites[GROUP_SUITE_NAMES[suite]];
}

/** The suite of a code point or RFC 9420 name; throws MLS_INVALID for any other suite. */
export function groupSuiteOf(codeOrName: number | string): GroupSuite {
  for (const s of ['xwing', 'classic'] as const) {
    if (codeOrName === GROUP_SUITE_NAMES[s] || codeOrName === groupSuiteCode(s)) return s;
  }
  throw new SottoError('MLS_INVALID', 'group: a ciphersuite Sotto does not use');
}

/** Ed25519 through the Sotto provider: `signKey` is the 32-byte RFC 8032 seed. */
function sottoSignature(p: CryptoProvider): Signature {
  return {
    sign: (signKey, message) => p.ed25519Sign(signKey, message),
    verify: (publicKey, message, signature) => p.ed25519Verify(publicKey, message, signature),
    keygen: async () => {
      const kp = await p.ed25519Generate();
      return { signKey: kp.secretKey, publicKey: kp.publicKey };
    },
  };
}

const cache = new WeakMap<CryptoProvider, Map<GroupSuite, Promise<CiphersuiteImpl>>>();

/** The ts-mls implementation of `suite` with Sotto's Ed25519 (one instance per provider and suite). */
export function groupCiphersuite(p: CryptoProvider, suite: GroupSuite): Promise<CiphersuiteImpl> {
  let bySuite = cache.get(p);
  if (bySuite === undefined) {
    bySuite = new Map();
    cache.set(p, bySuite);
  }
  let impl = bySuite.get(suite);
  if (impl === undefined) {
    impl = getCiphersuiteImpl(getCiphersuiteFromName(GROUP_SUITE_NAMES[suite])).then((base) => ({
      ...base,
      signature: sottoSignature(p),
    }));
    bySuite.set(suite, impl);
  }
  return impl;
}
