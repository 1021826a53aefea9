/**
 * backup/: sealing the identity-key backup under the OPAQUE export key or a passphrase.
 * See docs/crypto.md "Backups".
 */

export {
  BACKUP_ARGON2ID_BOUNDS,
  BACKUP_SALT_BYTES,
  type BackupArgon2idParams,
  BackupKdf,
  DEFAULT_BACKUP_ARGON2ID,
  MAX_BACKUP_PAYLOAD_BYTES,
} from './header.js';
export { type BackupPayload, decodeBackupPayload, encodeBackupPayload } from './payload.js';
export { type BackupKey, openBackup, type SealBackupInput, sealBackup } from './seal.js';
