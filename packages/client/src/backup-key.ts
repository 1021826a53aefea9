/**
 * The key that wraps the identity-key backup (DESIGN §3): derived from the OPAQUE export key, which only
 * the password can reproduce and the server never learns. HKDF-SHA-256 narrows the 64-byte export key to
 * the 32-byte raw key `sealBackup` takes, under a label of its own.
 */

import { type CryptoProvider, LABELS, SottoError, utf8 } from '@sotto/crypto';

/** HKDF info of the backup key (`LABELS.clientBackupExportKey`). */
export const BACKUP_EXPORT_KEY_LABEL: string = LABELS.clientBackupExportKey;

function fromBase64Url(s: string): Uint8Array {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The 32-byte backup key from an OPAQUE export key (base64url, as @serenity-kit/opaque returns it). */
export async function backupKeyFromExportKey(p: CryptoProvider, exportKey: string): Promise<Uint8Array> {
  const ikm = fromBase64Url(exportKey);
  if (ikm.length < 32) throw new SottoError('INVALID_ARGUMENT', 'OPAQUE export key too short');
  const key = await p.hkdfSha256(ikm, new Uint8Array(0), utf8(BACKUP_EXPORT_KEY_LABEL), 32);
  ikm.fill(0);
  return key;
}
