/**
 * Which RFC 9420 cipher suites the vector tests run, and why the others cannot.
 *
 * ts-mls loads some primitives from optional peer dependencies that @sotto/crypto does not install:
 * ChaCha20-Poly1305 for HPKE comes from `@hpke/chacha20poly1305`, X448 from `@hpke/dhkem-x448`. Without them
 * `getCiphersuiteImpl` throws a DependencyError for suites 3, 4 and 6. `suites.test.ts` pins this split, so
 * adding one of those packages fails that test until the suite is moved into `RUNNABLE_SUITES`, and every
 * vector file then runs it too.
 *
 * The X-Wing suites (83, 84) that Sotto uses by default have no official test vectors.
 */
import { type CiphersuiteImpl, getCiphersuiteImpl } from 'ts-mls';
import { type CiphersuiteId, getCiphersuiteFromId } from 'ts-mls/crypto/ciphersuite.js';
import { expect, it } from 'vitest';
import { runCases, type Verdict } from './vectors.js';

/** The suites of RFC 9420 §17.1 that ts-mls can instantiate here; every vector file runs all of them. */
export const RUNNABLE_SUITES = [1, 2, 5, 7] as const;

/** The RFC 9420 suites that cannot run here, with the missing optional dependency. */
export const UNAVAILABLE_SUITES: Readonly<Record<number, string>> = {
  3: '@hpke/chacha20poly1305',
  4: '@hpke/dhkem-x448',
  // Suite 6 also needs @hpke/dhkem-x448; ts-mls asks for the AEAD first.
  6: '@hpke/chacha20poly1305',
};

const cache = new Map<number, Promise<CiphersuiteImpl>>();

/** ts-mls's default implementation of suite `id` (one instance per suite for the whole run). */
export function suiteImpl(id: number): Promise<CiphersuiteImpl> {
  let impl = cache.get(id);
  if (impl === undefined) {
    impl = getCiphersuiteImpl(getCiphersuiteFromId(id as CiphersuiteId));
    cache.set(id, impl);
  }
  return impl;
}

/**
 * Splits `vectors` by suite: the cases of each runnable suite, and the suites present in the file that
 * cannot run. Throws on a suite that is neither runnable nor known to be unavailable, so a new suite in a
 * vector file cannot be skipped silently.
 */
export function bySuite<T extends { readonly cipher_suite: number }>(
  vectors: readonly T[],
): { runs: { suite: number; cases: T[] }[]; unavailable: number[] } {
  const present = [...new Set(vectors.map((v) => v.cipher_suite))].sort((a, b) => a - b);
  for (const s of present) {
    if (!(RUNNABLE_SUITES as readonly number[]).includes(s) && UNAVAILABLE_SUITES[s] === undefined)
      throw new Error(`cipher suite ${s} is neither runnable nor listed as unavailable`);
  }
  return {
    runs: RUNNABLE_SUITES.filter((s) => present.includes(s)).map((suite) => ({
      suite,
      cases: vectors.filter((v) => v.cipher_suite === suite),
    })),
    unavailable: present.filter((s) => UNAVAILABLE_SUITES[s] !== undefined),
  };
}

/** What one vector file must hold, and how its cases are checked and named. */
export interface SuiteRuns<T> {
  /** The suites it must run, and those it holds but cannot run here. */
  readonly suites: readonly number[];
  readonly unavailable: readonly number[];
  /** How many cases each suite has. */
  readonly casesPerSuite: number;
  /** The title of each suite's test, after `suite N` (e.g. `: 2 epochs`). */
  readonly what?: string;
  /** How a failing case is named (default `suite N`). */
  readonly label?: (c: T, index: number) => string;
  /** Checks one case: `true`, or what went wrong. */
  readonly check: (c: T) => Promise<Verdict[] | Verdict>;
}

/**
 * Two tests and one per suite for `vectors`: that the file holds exactly the expected suites (so a suite
 * added upstream, or one that becomes runnable, fails here instead of being skipped), then every case of
 * each suite checked, with every failure listed.
 */
export function testEverySuite<T extends { readonly cipher_suite: number }>(
  vectors: readonly T[],
  spec: SuiteRuns<T>,
): void {
  const { runs, unavailable } = bySuite(vectors);
  const missing = spec.unavailable.length === 0 ? '' : ` (${spec.unavailable.join(', ')} cannot run here)`;
  it(`covers every suite of the vectors${missing}`, () => {
    expect(runs.map((r) => r.suite)).toEqual(spec.suites);
    expect(unavailable).toEqual(spec.unavailable);
  });
  it.each(runs)(`suite $suite${spec.what ?? ''}`, async ({ cases }) => {
    const label = spec.label ?? ((c: T) => `suite ${c.cipher_suite}`);
    const { count, failures } = await runCases(cases, label, spec.check);
    expect(failures).toEqual([]);
    expect(count).toBe(spec.casesPerSuite);
  });
}
