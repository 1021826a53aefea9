import {
  BackupKdf,
  CIPHERTEXT_KIND,
  type CryptoProvider,
  openBackup,
  PROTOCOL_VERSION,
  SottoError,
  sealBackup,
} from '@sotto/crypto';
import { describe, expect, it, vi } from 'vitest';
import { expectCode, flipBit, providers } from '../keys/support.js';

const CHEAP = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const payload = new TextEncoder().encode('identity key backup payload');
const HEADER_RAW = 3 + 32 + 12;
const HEADER_PASS = 3 + 6 + 32 + 12;

/** `p` with argon2id replaced by a spy that records calls, to prove hostile headers stop before it. */
function spying(p: CryptoProvider) {
  const argon2id = vi.fn(p.argon2id.bind(p));
  const wrapped = new Proxy(p, { get: (t, k) => (k === 'argon2id' ? argon2id : Reflect.get(t, k)) });
  return { wrapped, argon2id };
}

describe.each(providers())('backup sealing ($label)', ({ provider: p }) => {
  const rawKey = () => ({ kind: 'raw' as const, key: p.randomBytes(32) });

  it('round-trips under a raw key, uncompressed, with the documented header', async () => {
    const key = rawKey();
    const sealed = await sealBackup(p, { accountName: 'alice', payload, key });
    expect(sealed[0]).toBe(CIPHERTEXT_KIND.backup);
    expect(sealed[1]).toBe(PROTOCOL_VERSION);
    expect(sealed[2]).toBe(BackupKdf.raw);
    expect(sealed.length).toBe(HEADER_RAW + payload.length + 16);
    expect(await openBackup(p, sealed, { accountName: 'alice', key })).toEqual(payload);
    const again = await sealBackup(p, { accountName: 'alice', payload, key });
    expect(again).not.toEqual(sealed); // fresh salt and nonce
  });

  it('round-trips under a passphrase, with Argon2id costs in the header', async () => {
    const key = { kind: 'passphrase' as const, passphrase: 'correct horse battery staple', params: CHEAP };
    const sealed = await sealBackup(p, { accountName: 'alice', payload, key });
    expect(Array.from(sealed.subarray(0, 9))).toEqual([0x10, 1, BackupKdf.argon2id, 0, 0, 0, 64, 1, 1]);
    expect(sealed.length).toBe(HEADER_PASS + payload.length + 16);
    expect(
      await openBackup(p, sealed, {
        accountName: 'alice',
        key: { kind: 'passphrase', passphrase: key.passphrase },
      }),
    ).toEqual(payload);
  });

  it('normalizes the passphrase to NFC (composed and decomposed accents open the same backup)', async () => {
    const composed = 'caf\u00e9 cr\u00e8me';
    const decomposed = 'cafe\u0301 cre\u0300me';
    const sealed = await sealBackup(p, {
      accountName: 'zoë',
      payload,
      key: { kind: 'passphrase', passphrase: composed, params: CHEAP },
    });
    expect(
      await openBackup(p, sealed, {
        accountName: 'zoë',
        key: { kind: 'passphrase', passphrase: decomposed },
      }),
    ).toEqual(payload);
  });

  it('fails closed with BACKUP_WRONG_KEY: wrong key, wrong passphrase, other account, other key kind', async () => {
    const key = rawKey();
    const sealed = await sealBackup(p, { accountName: 'alice', payload, key });
    await expectCode(
      () => openBackup(p, sealed, { accountName: 'alice', key: rawKey() }),
      'BACKUP_WRONG_KEY',
    );
    await expectCode(() => openBackup(p, sealed, { accountName: 'alicE', key }), 'BACKUP_WRONG_KEY');
    await expectCode(
      () => openBackup(p, sealed, { accountName: 'alice', key: { kind: 'passphrase', passphrase: 'x' } }),
      'BACKUP_WRONG_KEY',
    );
    const pass = { kind: 'passphrase' as const, passphrase: 'hunter2 hunter2', params: CHEAP };
    const sealedPass = await sealBackup(p, { accountName: 'alice', payload, key: pass });
    await expectCode(
      () =>
        openBackup(p, sealedPass, { accountName: 'alice', key: { ...pass, passphrase: 'hunter2 hunter3' } }),
      'BACKUP_WRONG_KEY',
    );
    await expectCode(() => openBackup(p, sealedPass, { accountName: 'bob', key: pass }), 'BACKUP_WRONG_KEY');
    await expectCode(() => openBackup(p, sealedPass, { accountName: 'alice', key }), 'BACKUP_WRONG_KEY');
  });

  it('rejects every single-bit flip of a raw-key backup (structure bytes with a decode error, the rest BACKUP_WRONG_KEY)', async () => {
    const key = rawKey();
    const sealed = await sealBackup(p, { accountName: 'alice', payload, key });
    for (let bit = 0; bit < sealed.length * 8; bit++) {
      let code: string | undefined;
      try {
        await openBackup(p, flipBit(sealed, bit), { accountName: 'alice', key });
      } catch (err) {
        if (!SottoError.is(err)) throw err;
        code = err.code;
      }
      const byte = bit >> 3;
      const expected =
        byte === 0
          ? 'WRONG_MESSAGE_KIND'
          : byte === 1
            ? 'UNSUPPORTED_VERSION'
            : byte === 2
              ? 'MALFORMED_ENCODING'
              : 'BACKUP_WRONG_KEY';
      expect(code, `bit ${bit}`).toBe(expected);
    }
  });

  it('rejects flips in a passphrase backup: salt, nonce, tag, ciphertext, and in-range cost changes', async () => {
    const key = { kind: 'passphrase' as const, passphrase: 'pass phrase', params: CHEAP };
    const sealed = await sealBackup(p, { accountName: 'alice', payload, key });
    // byte 6 = memoryKiB low byte (64 -> 65..), 7 = iterations (1 -> 3), then salt, nonce, body, tag
    const bits = [6 * 8, 7 * 8 + 1, 9 * 8, 40 * 8 + 7, 41 * 8, 53 * 8 + 3, sealed.length * 8 - 1];
    for (const bit of bits) {
      await expectCode(
        () => openBackup(p, flipBit(sealed, bit), { accountName: 'alice', key }),
        'BACKUP_WRONG_KEY',
      );
    }
    // high bits of the costs leave the bounds and are refused before Argon2id runs
    const { wrapped, argon2id } = spying(p);
    for (const bit of [3 * 8, 4 * 8 + 5, 7 * 8 + 7, 8 * 8 + 3]) {
      await expectCode(
        () => openBackup(wrapped, flipBit(sealed, bit), { accountName: 'alice', key }),
        'MALFORMED_ENCODING',
      );
    }
    expect(argon2id).not.toHaveBeenCalled();
  });

  it('refuses hostile headers before any expensive work', async () => {
    const { wrapped, argon2id } = spying(p);
    const key = { kind: 'passphrase' as const, passphrase: 'pw' };
    const header = (m: number, t: number, par: number) => {
      const b = new Uint8Array(HEADER_PASS + 16);
      b.set([0x10, 1, 2]);
      new DataView(b.buffer).setUint32(3, m);
      b[7] = t;
      b[8] = par;
      return b;
    };
    const hostile = [
      header(0xffffffff, 1, 1), // 4 TiB
      header(256 * 1024 + 1, 1, 1), // just over the memory bound
      header(256 * 1024, 5, 1), // within memory, over the work bound
      header(64, 0, 1),
      header(64, 11, 1),
      header(64, 1, 0),
      header(64, 1, 5),
      header(31, 1, 4), // below RFC 9106's 8·p KiB
    ];
    for (const h of hostile)
      await expectCode(() => openBackup(wrapped, h, { accountName: 'alice', key }), 'MALFORMED_ENCODING');
    const good = header(64, 1, 1);
    for (let cut = 0; cut < good.length; cut++) {
      await expectCode(
        () => openBackup(wrapped, good.subarray(0, cut), { accountName: 'alice', key }),
        'MALFORMED_ENCODING',
      );
    }
    const unknownKdf = good.slice();
    unknownKdf[2] = 7;
    await expectCode(
      () => openBackup(wrapped, unknownKdf, { accountName: 'alice', key }),
      'MALFORMED_ENCODING',
    );
    const tooBig = new Uint8Array(HEADER_RAW + 64 * 1024 + 17);
    tooBig.set([0x10, 1, 1]);
    await expectCode(
      () => openBackup(wrapped, tooBig, { accountName: 'alice', key: rawKey() }),
      'MALFORMED_ENCODING',
    );
    expect(argon2id).not.toHaveBeenCalled();
  });

  it('refuses bad inputs when sealing (INVALID_ARGUMENT)', async () => {
    const bad: Array<Parameters<typeof sealBackup>[1]> = [
      { accountName: '', payload, key: rawKey() },
      { accountName: 'alice', payload, key: { kind: 'raw', key: new Uint8Array(31) } },
      { accountName: 'alice', payload, key: { kind: 'passphrase', passphrase: '' } },
      {
        accountName: 'alice',
        payload,
        key: { kind: 'passphrase', passphrase: 'x', params: { ...CHEAP, memoryKiB: 1 << 20 } },
      },
      {
        accountName: 'alice',
        payload,
        key: { kind: 'passphrase', passphrase: 'x', params: { ...CHEAP, iterations: 0 } },
      },
      {
        accountName: 'alice',
        payload,
        key: { kind: 'passphrase', passphrase: 'x', params: { ...CHEAP, length: 64 } },
      },
      { accountName: 'alice', payload: new Uint8Array(64 * 1024 + 1), key: rawKey() },
    ];
    for (const input of bad) await expectCode(() => sealBackup(p, input), 'INVALID_ARGUMENT');
  });
});

describe('backup default costs', () => {
  it('seal and open with the default Argon2id parameters (19 MiB, t=2, p=1)', async () => {
    const [first] = providers();
    if (first === undefined) throw new Error('no provider');
    const p = first.provider;
    const key = { kind: 'passphrase' as const, passphrase: 'a long and memorable passphrase' };
    const sealed = await sealBackup(p, { accountName: 'alice', payload, key });
    expect(Array.from(sealed.subarray(2, 9))).toEqual([BackupKdf.argon2id, 0, 0, 0x4c, 0, 2, 1]);
    expect(await openBackup(p, sealed, { accountName: 'alice', key })).toEqual(payload);
  });
});
