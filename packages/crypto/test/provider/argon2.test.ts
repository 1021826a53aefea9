/**
 * Argon2id (RFC 9106) parameter bounds: a backup header comes from the server, so every parameter a hostile
 * header could inflate is refused with INVALID_ARGUMENT before any memory is allocated.
 */
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../src/bytes.js';
import { ARGON2ID_BOUNDS } from '../../src/provider/index.js';
import type { Argon2idParams } from '../../src/provider.js';
import { providerCases } from '../helpers/providers.js';
import { rejectionCode } from './wycheproof.js';

const cases = await providerCases();
const password = utf8('correct horse battery staple');
const salt = new Uint8Array(16).fill(0x5a);
const small: Argon2idParams = { memoryKiB: 64, iterations: 1, parallelism: 1, length: 32 };

const rejected: Array<[string, Partial<Argon2idParams>]> = [
  ['memory above 256 MiB', { memoryKiB: 256 * 1024 + 1 }],
  ['memory of 4 GiB', { memoryKiB: 4 * 1024 * 1024 }],
  ['memory below 8 KiB per lane', { memoryKiB: 15, parallelism: 2 }],
  ['memory below 8 KiB', { memoryKiB: 7 }],
  ['fractional memory', { memoryKiB: 64.5 }],
  ['zero iterations', { iterations: 0 }],
  ['eleven iterations', { iterations: 11 }],
  ['zero lanes', { parallelism: 0 }],
  ['five lanes', { parallelism: 5 }],
  ['15-byte output', { length: 15 }],
  ['65-byte output', { length: 65 }],
  ['NaN iterations', { iterations: Number.NaN }],
];

describe.each(cases)('Argon2id bounds on $label', ({ provider }) => {
  it.each(rejected)('rejects %s', async (_name, change) => {
    expect(await rejectionCode(provider.argon2id(password, salt, { ...small, ...change }))).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('rejects salts shorter than 16 bytes', async () => {
    expect(await rejectionCode(provider.argon2id(password, salt.subarray(1), small))).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('accepts the bounds themselves and derives deterministic, salt-dependent output', async () => {
    const min = { memoryKiB: 8, iterations: 1, parallelism: 1, length: 16 };
    expect((await provider.argon2id(password, salt, min)).length).toBe(16);
    const four = { memoryKiB: 32, iterations: 1, parallelism: 4, length: 64 };
    expect((await provider.argon2id(password, salt, four)).length).toBe(64);
    const a = await provider.argon2id(password, salt, small);
    expect(toHex(await provider.argon2id(password, salt, small))).toBe(toHex(a));
    expect(toHex(await provider.argon2id(password, new Uint8Array(16), small))).not.toBe(toHex(a));
  });
});

describe('Argon2id across backends', () => {
  it('every backend derives the same key', async () => {
    const outs = await Promise.all(cases.map(({ provider }) => provider.argon2id(password, salt, small)));
    expect(new Set(outs.map(toHex)).size).toBe(1);
  });

  it('publishes its bounds', () => {
    expect(ARGON2ID_BOUNDS.maxMemoryKiB).toBe(262_144);
    expect([ARGON2ID_BOUNDS.maxIterations, ARGON2ID_BOUNDS.maxParallelism]).toEqual([10, 4]);
  });
});
