/**
 * Identity-key backup wrapping (DESIGN §3): the backup is sealed on the device under a key only the user
 * can produce (the OPAQUE export key, or a passphrase) and stored on the server, which cannot open it.
 *
 * AEAD key: `HKDF-SHA-256(ikm, salt, string(label) || string(accountName), 32)` where `ikm` is the raw key
 * (label `LABELS.backupKeyRaw`) or `Argon2id(NFC(passphrase), salt, params)` (label
 * `LABELS.backupKeyPassphrase`). AES-256-GCM with associated data
 * `string(LABELS.backupAad) || bytes(header) || string(accountName)`, so the KDF choice, its costs, the salt,
 * the nonce and the account are all authenticated. Nothing is compressed (no length side channel beyond
 * the payload's own size).
 */

import { ByteWriter } from '../binary.js';
import { abytes, utf8, wipe } from '../bytes.js';
import { SottoError } from '../errors.js';
import { checkAccountName } from '../keys/encoding.js';
import { LABELS } from '../labels.js';
import type { CryptoProvider } from '../provider.js';
import { SIZES } from '../provider.js';
import {
  BACKUP_SALT_BYTES,
  type BackupArgon2idParams,
  type BackupHeader,
  BackupKdf,
  checkBackupArgon2id,
  DEFAULT_BACKUP_ARGON2ID,
  encodeBackupHeader,
  MAX_BACKUP_PAYLOAD_BYTES,
  parseBackup,
} from './header.js';

/** The key a backup is sealed under. */
export type BackupKey =
  | { readonly kind: 'raw'; readonly key: Uint8Array }
  | { readonly kind: 'passphrase'; readonly passphrase: string; readonly params?: BackupArgon2idParams };

/** What to seal. */
export interface SealBackupInput {
  readonly accountName: string;
  /** The plaintext, e.g. {@link encodeBackupPayload}; at most 64 KiB. */
  readonly payload: Uint8Array;
  readonly key: BackupKey;
}

function checkKey(key: BackupKey): void {
  if (key.kind === 'raw') abytes(key.key, 32, 'backup key');
  else if (key.kind === 'passphrase') {
    if (typeof key.passphrase !== 'string' || key.passphrase.length === 0) {
      throw new SottoError('INVALID_ARGUMENT', 'backup: passphrase must be a non-empty string');
    }
  } else throw new SottoError('INVALID_ARGUMENT', 'backup: unknown key kind');
}

async function deriveKey(
  p: CryptoProvider,
  key: BackupKey,
  header: BackupHeader,
  accountName: string,
): Promise<Uint8Array> {
  if (key.kind === 'raw') {
    if (header.kdf !== BackupKdf.raw)
      throw new SottoError('BACKUP_WRONG_KEY', 'backup: sealed under a passphrase');
    const info = new ByteWriter(96).string(LABELS.backupKeyRaw).string(accountName).finish();
    return p.hkdfSha256(key.key, header.salt, info, SIZES.aesKey);
  }
  if (header.kdf !== BackupKdf.argon2id || header.argon2id === undefined) {
    throw new SottoError('BACKUP_WRONG_KEY', 'backup: sealed under a raw key');
  }
  // NFC so the same passphrase typed on two keyboards (composed vs decomposed accents) opens the backup.
  const password = utf8(key.passphrase.normalize('NFC'));
  const stretched = await p.argon2id(password, header.salt, header.argon2id);
  wipe(password);
  const info = new ByteWriter(96).string(LABELS.backupKeyPassphrase).string(accountName).finish();
  const aeadKey = await p.hkdfSha256(stretched, header.salt, info, SIZES.aesKey);
  wipe(stretched);
  return aeadKey;
}

function associatedData(headerBytes: Uint8Array, accountName: string): Uint8Array {
  return new ByteWriter(128).string(LABELS.backupAad).bytes(headerBytes).string(accountName).finish();
}

/**
 * Seals a backup. Throws INVALID_ARGUMENT on a bad account name, an empty passphrase, a raw key that is not
 * 32 bytes, Argon2id costs out of range, or a payload over 64 KiB.
 */
export async function sealBackup(p: CryptoProvider, input: SealBackupInput): Promise<Uint8Array> {
  const accountName = checkAccountName(input.accountName);
  abytes(input.payload, undefined, 'backup payload');
  if (input.payload.length > MAX_BACKUP_PAYLOAD_BYTES) {
    throw new SottoError('INVALID_ARGUMENT', 'backup: payload too large');
  }
  checkKey(input.key);
  const salt = p.randomBytes(BACKUP_SALT_BYTES);
  const nonce = p.randomBytes(SIZES.aesNonce);
  const header: BackupHeader =
    input.key.kind === 'raw'
      ? { kdf: BackupKdf.raw, salt, nonce }
      : {
          kdf: BackupKdf.argon2id,
          argon2id: checkBackupArgon2id(input.key.params ?? DEFAULT_BACKUP_ARGON2ID, 'INVALID_ARGUMENT'),
          salt,
          nonce,
        };
  const headerBytes = encodeBackupHeader(header);
  const aeadKey = await deriveKey(p, input.key, header, accountName);
  try {
    const sealed = await p.aes256GcmSeal(
      aeadKey,
      nonce,
      input.payload,
      associatedData(headerBytes, accountName),
    );
    const out = new Uint8Array(headerBytes.length + sealed.length);
    out.set(headerBytes);
    out.set(sealed, headerBytes.length);
    return out;
  } finally {
    wipe(aeadKey);
  }
}

/**
 * Opens a backup. The header is parsed and bounded before any key derivation (MALFORMED_ENCODING,
 * UNSUPPORTED_VERSION, WRONG_MESSAGE_KIND). A wrong key or passphrase, a key of the other kind, another
 * account name, or any tampering fails closed with BACKUP_WRONG_KEY.
 */
export async function openBackup(
  p: CryptoProvider,
  bytes: Uint8Array,
  options: { readonly accountName: string; readonly key: BackupKey },
): Promise<Uint8Array> {
  const accountName = checkAccountName(options.accountName);
  checkKey(options.key);
  const { header, headerBytes, sealed } = parseBackup(bytes);
  const aeadKey = await deriveKey(p, options.key, header, accountName);
  try {
    return await p.aes256GcmOpen(aeadKey, header.nonce, sealed, associatedData(headerBytes, accountName));
  } catch (err) {
    if (SottoError.is(err, 'AUTH_FAILED')) throw new SottoError('BACKUP_WRONG_KEY');
    throw err;
  } finally {
    wipe(aeadKey);
  }
}
