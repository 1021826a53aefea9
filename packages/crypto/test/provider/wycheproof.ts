/**
 * Loads a Wycheproof vector file from test/fixtures/wycheproof (copied from the shared vectors, Apache-2.0;
 * see LICENSE and SOURCE there) and runs a table of cases, collecting mismatches instead of stopping at the
 * first one, so a failure report lists every broken tcId.
 */
import { readFileSync } from 'node:fs';
import { fromHex } from '../../src/bytes.js';
import { SottoError } from '../../src/errors.js';

/** One test case; fields beyond these depend on the schema. */
export interface WycheproofTest {
  readonly tcId: number;
  readonly comment?: string;
  readonly flags?: readonly string[];
  readonly result: 'valid' | 'invalid' | 'acceptable';
  readonly [field: string]: unknown;
}

/** One test group; fields beyond `tests` depend on the schema. */
export interface WycheproofGroup {
  readonly tests: readonly WycheproofTest[];
  readonly [field: string]: unknown;
}

/** A parsed vector file. */
export interface WycheproofFile {
  readonly algorithm: string;
  readonly numberOfTests: number;
  readonly testGroups: readonly WycheproofGroup[];
}

/** Reads `name` from the fixtures directory, relative to this file. */
export function loadWycheproof(name: string): WycheproofFile {
  const url = new URL(`../fixtures/wycheproof/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as WycheproofFile;
}

/** The hex field `field` of a test or group as bytes; throws when it is missing. */
export function hex(record: { readonly [field: string]: unknown }, field: string): Uint8Array {
  const value = record[field];
  if (typeof value !== 'string') throw new Error(`vector field ${field} is missing`);
  return fromHex(value);
}

/** The outcome of one case: true when our policy holds, else a short description of what happened. */
export type Verdict = true | string;

/** Runs `check` over every test of the selected groups; returns how many ran and which failed. */
export async function runCases(
  groups: readonly WycheproofGroup[],
  check: (test: WycheproofTest, group: WycheproofGroup) => Promise<Verdict>,
): Promise<{ count: number; failures: string[] }> {
  let count = 0;
  const failures: string[] = [];
  for (const group of groups) {
    for (const test of group.tests) {
      count++;
      let verdict: Verdict;
      try {
        verdict = await check(test, group);
      } catch (err) {
        verdict = `threw ${SottoError.is(err) ? err.code : String(err)}`;
      }
      if (verdict !== true)
        failures.push(`tcId ${test.tcId} (${test.result}, ${test.comment ?? ''}): ${verdict}`);
    }
  }
  return { count, failures };
}

/** Resolves to the SottoError code `promise` rejects with, `'resolved'`, or `'non-sotto'` for a foreign error. */
export async function rejectionCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    return SottoError.is(err) ? err.code : 'non-sotto';
  }
}
