/**
 * Pins which cipher suites ts-mls can instantiate with Sotto's dependency tree (legacy-peer-deps, the
 * project's own @noble versions; ADR 0018), so a suite can neither disappear from the vector runs nor be
 * left out of them once its optional dependency is installed.
 */
import { getCiphersuiteImpl } from 'ts-mls';
import { type CiphersuiteId, getCiphersuiteFromId } from 'ts-mls/crypto/ciphersuite.js';
import { DependencyError } from 'ts-mls/mlsError.js';
import { describe, expect, it } from 'vitest';
import { RUNNABLE_SUITES, suiteImpl, UNAVAILABLE_SUITES } from './suites.js';

describe('ts-mls cipher suites available to the vector tests', () => {
  it.each(RUNNABLE_SUITES)('suite %i instantiates', async (id) => {
    const impl = await suiteImpl(id);
    expect(impl.name).toBe(getCiphersuiteFromId(id).name);
  });

  it.each(Object.entries(UNAVAILABLE_SUITES))(
    'suite %s needs %s, which is not installed',
    async (id, dep) => {
      const attempt = getCiphersuiteImpl(getCiphersuiteFromId(Number(id) as CiphersuiteId));
      await expect(attempt).rejects.toBeInstanceOf(DependencyError);
      await expect(attempt).rejects.toThrow(dep);
    },
  );
});
