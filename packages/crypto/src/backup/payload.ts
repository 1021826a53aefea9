/**
 * What a new device needs from a backup to act as the account: the identity key pair, the account name
 * and when the backup was made. Encoding (secret; only ever stored sealed):
 * `[version][0x33] identityKey(tagged public) identitySeed(tagged secret) accountName createdAt u64`.
 */

import { ByteReader, ByteWriter } from '../binary.js';
import { abytes } from '../bytes.js';
import {
  checkAccountName,
  checkTimestamp,
  readAccountName,
  readHeader,
  StructureTag,
  writeHeader,
} from '../keys/encoding.js';
import { type IdentityKeyPair, readIdentityKeyPair, writeIdentityKeyPair } from '../keys/identity.js';
import type { CryptoProvider } from '../provider.js';
import { markSecret } from '../secret.js';

/** The plaintext of an identity-key backup. Renders as `[redacted]`. */
export interface BackupPayload {
  readonly identity: IdentityKeyPair;
  readonly accountName: string;
  /** Milliseconds since the Unix epoch. */
  readonly createdAt: number;
}

/** Encodes a backup payload (secret: seal it with {@link sealBackup}). Throws INVALID_ARGUMENT on bad fields. */
export function encodeBackupPayload(payload: BackupPayload): Uint8Array {
  const w = new ByteWriter(128);
  writeHeader(w, StructureTag.backupPayload);
  writeIdentityKeyPair(w, payload.identity);
  w.string(checkAccountName(payload.accountName));
  w.u64(checkTimestamp(payload.createdAt, 'createdAt'));
  return w.finish();
}

/**
 * Decodes a backup payload, checking that the identity public key belongs to its seed. Throws
 * MALFORMED_ENCODING, UNSUPPORTED_VERSION or WRONG_KEY_TYPE.
 */
export async function decodeBackupPayload(p: CryptoProvider, bytes: Uint8Array): Promise<BackupPayload> {
  abytes(bytes, undefined, 'backup payload');
  const r = new ByteReader(bytes, 'backup payload');
  readHeader(r, StructureTag.backupPayload, 'backup payload');
  const identity = await readIdentityKeyPair(p, r);
  const accountName = readAccountName(r);
  const createdAt = r.u64();
  r.finish();
  return markSecret({ identity, accountName, createdAt });
}
