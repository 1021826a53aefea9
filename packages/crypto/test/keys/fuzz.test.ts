import {
  decodeBackupPayload,
  decodeDeviceCertificate,
  decodeDeviceKeys,
  decodeDeviceList,
  decodeIdentityKeyPair,
  decodeKemPrekey,
  decodeOneTimePrekey,
  decodePrekeyBundle,
  decodePublicKey,
  decodeSignedPrekey,
  encodeBackupPayload,
  encodeDeviceCertificate,
  encodeDeviceKeys,
  encodeDeviceList,
  encodeIdentityKeyPair,
  encodeKemPrekey,
  encodeOneTimePrekey,
  encodePrekeyBundle,
  encodePublicKey,
  encodeSignedPrekey,
  KeyType,
  openBackup,
  SottoError,
  sealBackup,
  signDeviceList,
} from '@sotto/crypto';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { makeDevice, providers, T0 } from './support.js';

const [first] = providers();
if (first === undefined) throw new Error('no provider');
const p = first.provider;

const account = await makeDevice(p);
const backupKey = { kind: 'raw' as const, key: new Uint8Array(32).fill(7) };

/** Each decoder with a valid encoding to mutate. */
const decoders: Array<[string, (b: Uint8Array) => unknown, Uint8Array]> = [
  [
    'public key',
    (b) => decodePublicKey(KeyType.mlkem768, b),
    encodePublicKey(KeyType.mlkem768, account.kemPrekey.public.publicKey),
  ],
  ['certificate', decodeDeviceCertificate, encodeDeviceCertificate(account.cert)],
  [
    'device list',
    decodeDeviceList,
    encodeDeviceList(
      await signDeviceList(p, account.identity, {
        accountName: 'alice',
        version: 1,
        devices: [{ deviceId: 1, signingKey: account.cert.signingKey }],
        issuedAt: T0,
      }),
    ),
  ],
  ['signed prekey', decodeSignedPrekey, encodeSignedPrekey(account.signedPrekey.public)],
  ['KEM prekey', decodeKemPrekey, encodeKemPrekey(account.kemPrekey.public)],
  ['one-time prekey', decodeOneTimePrekey, encodeOneTimePrekey(account.oneTime.public)],
  ['bundle', decodePrekeyBundle, encodePrekeyBundle(account.bundle)],
  ['identity key pair', (b) => decodeIdentityKeyPair(p, b), encodeIdentityKeyPair(account.identity)],
  ['device keys', (b) => decodeDeviceKeys(p, b), encodeDeviceKeys(account.device)],
  [
    'backup payload',
    (b) => decodeBackupPayload(p, b),
    encodeBackupPayload({ identity: account.identity, accountName: 'alice', createdAt: T0 }),
  ],
  [
    'backup',
    (b) => openBackup(p, b, { accountName: 'alice', key: backupKey }),
    await sealBackup(p, { accountName: 'alice', payload: new Uint8Array(10), key: backupKey }),
  ],
];

/** Resolves when `fn` returns or throws a SottoError; any other exception is a crash. */
async function noCrash(fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!SottoError.is(err)) throw err;
  }
}

describe('decoders treat input as hostile', () => {
  it.each(decoders)('%s: arbitrary bytes give a value or a SottoError, never a crash', async (_, decode) => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => noCrash(() => decode(bytes))),
      { numRuns: 300 },
    );
  });

  it.each(decoders)(
    '%s: a valid encoding with bytes overwritten and truncated never crashes',
    async (_, decode, valid) => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
          fc.nat(valid.length),
          async (edits, cut) => {
            const bytes = valid.slice(0, cut);
            for (const [i, v] of edits) if (i < bytes.length) bytes[i] = v;
            await noCrash(() => decode(bytes));
          },
        ),
        { numRuns: 100 },
      );
    },
  );
});
