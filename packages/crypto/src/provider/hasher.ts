/**
 * The incremental SHA-256 of both backends behind one small wrapper: node:crypto's `Hash` (which can
 * `copy()`) in the `node` backend, noble's `sha256.create()` (which can `clone()`) in the `portable` one.
 * WebCrypto only digests whole buffers, so it cannot serve here.
 */

import { abytes } from '../bytes.js';
import { SottoError } from '../errors.js';
import type { Sha256Hasher } from '../provider.js';

/** What a backend's incremental hash offers. */
export interface HashCore {
  update(data: Uint8Array): unknown;
  digest(): Uint8Array;
}

/**
 * Wraps a backend hash so both backends behave alike: inputs are checked, a finished hasher refuses more
 * data with INVALID_ARGUMENT, and the digest is a plain 32-byte Uint8Array.
 */
export function wrapHasher<H extends HashCore>(core: H, copy: (h: H) => H): Sha256Hasher {
  let finished = false;
  const live = (): H => {
    if (finished) throw new SottoError('INVALID_ARGUMENT', 'sha256: the hasher is already finished');
    return core;
  };
  return {
    update(data) {
      live().update(abytes(data, undefined, 'sha256 data'));
    },
    clone: () => wrapHasher(copy(live()), copy),
    digest() {
      const out = new Uint8Array(live().digest());
      finished = true;
      return out;
    },
  };
}
