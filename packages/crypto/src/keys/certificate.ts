/**
 * Device certificates (DESIGN §3): the account identity key vouches for a device's signing key and DH key.
 *
 * Encoding: `[version][0x21] identityKey accountName deviceId u32 signingKey dhKey createdAt u64 | signature`
 * where keys are tagged ({@link encodePublicKey}) and the signature (Ed25519, 64 bytes) is over
 * `LABELS.keysDeviceCertificate || everything before the signature`, so it is bound to the protocol version,
 * the structure, the account and every key type.
 */

import { ByteReader, ByteWriter } from '../binary.js';
import { abytes, equalBytes } from '../bytes.js';
import { SottoError } from '../errors.js';
import { LABELS } from '../labels.js';
import type { CryptoProvider } from '../provider.js';
import { SIZES } from '../provider.js';
import {
  checkAccountName,
  checkTimestamp,
  checkU32,
  readAccountName,
  readHeader,
  StructureTag,
  writeHeader,
} from './encoding.js';
import type { IdentityKeyPair } from './identity.js';
import { KeyType, readPublicKey, writePublicKey } from './key-types.js';

/** What the identity key certifies about a device. */
export interface DeviceCertificateFields {
  readonly accountName: string;
  /** u32, unique within the account. */
  readonly deviceId: number;
  /** The device's Ed25519 signing public key (raw, 32 bytes). */
  readonly signingKey: Uint8Array;
  /** The device's X25519 public key (raw, 32 bytes). */
  readonly dhKey: Uint8Array;
  /** Milliseconds since the Unix epoch. */
  readonly createdAt: number;
}

/** A device certificate: the fields, the certifying identity key and its Ed25519 signature. */
export interface DeviceCertificate extends DeviceCertificateFields {
  /** The account identity public key (raw, 32 bytes). */
  readonly identityKey: Uint8Array;
  readonly signature: Uint8Array;
}

function writeBody(w: ByteWriter, identityKey: Uint8Array, f: DeviceCertificateFields): void {
  writeHeader(w, StructureTag.deviceCertificate);
  writePublicKey(w, KeyType.identity, identityKey);
  w.string(checkAccountName(f.accountName));
  w.u32(checkU32(f.deviceId, 'device id'));
  writePublicKey(w, KeyType.deviceSigning, f.signingKey);
  writePublicKey(w, KeyType.x25519, f.dhKey);
  w.u64(checkTimestamp(f.createdAt, 'createdAt'));
}

function signedMessage(identityKey: Uint8Array, f: DeviceCertificateFields): Uint8Array {
  const w = new ByteWriter(256);
  w.string(LABELS.keysDeviceCertificate);
  writeBody(w, identityKey, f);
  return w.finish();
}

/** Signs a device certificate with the identity key. Throws INVALID_ARGUMENT on a field out of range. */
export async function issueDeviceCertificate(
  p: CryptoProvider,
  identity: IdentityKeyPair,
  fields: DeviceCertificateFields,
): Promise<DeviceCertificate> {
  const { accountName, deviceId, signingKey, dhKey, createdAt } = fields;
  const copy = { accountName, deviceId, signingKey, dhKey, createdAt };
  const signature = await p.ed25519Sign(identity.secretKey, signedMessage(identity.publicKey, copy));
  return { ...copy, identityKey: identity.publicKey, signature };
}

/** Encodes a certificate. Throws INVALID_ARGUMENT on a field out of range. */
export function encodeDeviceCertificate(cert: DeviceCertificate): Uint8Array {
  const w = new ByteWriter(256);
  writeBody(w, cert.identityKey, cert);
  w.raw(abytes(cert.signature, SIZES.ed25519Signature, 'signature'));
  return w.finish();
}

/** Reads a certificate from inside a larger structure. */
export function readDeviceCertificate(r: ByteReader): DeviceCertificate {
  readHeader(r, StructureTag.deviceCertificate, 'device certificate');
  const identityKey = readPublicKey(r, KeyType.identity, 'identity key');
  const accountName = readAccountName(r);
  const deviceId = r.u32();
  const signingKey = readPublicKey(r, KeyType.deviceSigning, 'device signing key');
  const dhKey = readPublicKey(r, KeyType.x25519, 'device DH key');
  const createdAt = r.u64();
  const signature = r.raw(SIZES.ed25519Signature);
  return { accountName, deviceId, signingKey, dhKey, createdAt, identityKey, signature };
}

/**
 * Decodes a certificate (no signature check: call {@link verifyDeviceCertificate}).
 * Throws MALFORMED_ENCODING, UNSUPPORTED_VERSION or WRONG_KEY_TYPE.
 */
export function decodeDeviceCertificate(bytes: Uint8Array): DeviceCertificate {
  abytes(bytes, undefined, 'device certificate');
  const r = new ByteReader(bytes, 'device certificate');
  const cert = readDeviceCertificate(r);
  r.finish();
  return cert;
}

/**
 * Checks the certificate's signature, and (when given) that it was issued by `expectedIdentityKey`.
 * Throws UNTRUSTED_IDENTITY when the identity key differs, INVALID_SIGNATURE when the signature fails.
 */
export async function verifyDeviceCertificate(
  p: CryptoProvider,
  cert: DeviceCertificate,
  expectedIdentityKey?: Uint8Array,
): Promise<void> {
  if (expectedIdentityKey !== undefined && !equalBytes(cert.identityKey, expectedIdentityKey)) {
    throw new SottoError('UNTRUSTED_IDENTITY', 'device certificate: issued by another identity key');
  }
  const message = signedMessage(cert.identityKey, cert);
  if (!(await p.ed25519Verify(cert.identityKey, message, cert.signature))) {
    throw new SottoError('INVALID_SIGNATURE', 'device certificate: signature does not verify');
  }
}
