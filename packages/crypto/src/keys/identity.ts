/**
 * The account identity key and a device's own keys (DESIGN §3). Secret-holding objects are
 * {@link markSecret}ed so they render as `[redacted]`; their storage encodings are tagged and versioned.
 */

import { ByteReader, ByteWriter } from '../binary.js';
import { abytes, equalBytes } from '../bytes.js';
import { SottoError } from '../errors.js';
import type { CryptoProvider, KeyPair } from '../provider.js';
import { SIZES } from '../provider.js';
import { markSecret } from '../secret.js';
import { checkU32, readHeader, StructureTag, writeHeader } from './encoding.js';
import {
  KeyType,
  readPublicKey,
  readSecretKey,
  SecretKeyType,
  writePublicKey,
  writeSecretKey,
} from './key-types.js';

/** The account identity key pair (Ed25519). `secretKey` is the RFC 8032 seed. Renders as `[redacted]`. */
export interface IdentityKeyPair extends KeyPair {}

/** A device's own keys. Renders as `[redacted]`. */
export interface DeviceKeys {
  /** The device id within the account (u32). */
  readonly deviceId: number;
  /** Ed25519 key that signs the device's prekeys and connection challenges. */
  readonly signing: KeyPair;
  /** X25519 key certified alongside the signing key. */
  readonly dh: KeyPair;
}

/** Generates a fresh account identity key pair. */
export async function generateIdentityKeyPair(p: CryptoProvider): Promise<IdentityKeyPair> {
  const kp = await p.ed25519Generate();
  return markSecret({ publicKey: kp.publicKey, secretKey: kp.secretKey });
}

/** Generates a device's signing and DH key pairs. Throws INVALID_ARGUMENT unless `deviceId` is a u32. */
export async function generateDeviceKeys(p: CryptoProvider, deviceId: number): Promise<DeviceKeys> {
  checkU32(deviceId, 'device id');
  const signing = await p.ed25519Generate();
  const dh = await p.x25519Generate();
  return markSecret({
    deviceId,
    signing: markSecret({ publicKey: signing.publicKey, secretKey: signing.secretKey }),
    dh: markSecret({ publicKey: dh.publicKey, secretKey: dh.secretKey }),
  });
}

/** Writes an identity key pair (public, then secret) into a larger secret structure. */
export function writeIdentityKeyPair(w: ByteWriter, identity: IdentityKeyPair): void {
  writePublicKey(w, KeyType.identity, identity.publicKey);
  writeSecretKey(w, SecretKeyType.identity, identity.secretKey);
}

/**
 * Reads an identity key pair and checks that the public key belongs to the secret key, so a corrupted or
 * spliced record is rejected (MALFORMED_ENCODING) instead of signing under a key nobody can verify.
 */
export async function readIdentityKeyPair(p: CryptoProvider, r: ByteReader): Promise<IdentityKeyPair> {
  const publicKey = readPublicKey(r, KeyType.identity, 'identity key');
  const secretKey = readSecretKey(r, SecretKeyType.identity, 'identity secret key');
  if (!equalBytes(await p.ed25519PublicKey(secretKey), publicKey)) {
    throw new SottoError('MALFORMED_ENCODING', 'identity key pair: public key does not match');
  }
  return markSecret({ publicKey, secretKey });
}

/** Encodes an identity key pair for local storage. The result is secret. */
export function encodeIdentityKeyPair(identity: IdentityKeyPair): Uint8Array {
  const w = new ByteWriter(2 + 2 * (2 + SIZES.ed25519PublicKey));
  writeHeader(w, StructureTag.identityKeyPair);
  writeIdentityKeyPair(w, identity);
  return w.finish();
}

/** Decodes {@link encodeIdentityKeyPair}; throws MALFORMED_ENCODING, UNSUPPORTED_VERSION or WRONG_KEY_TYPE. */
export async function decodeIdentityKeyPair(p: CryptoProvider, bytes: Uint8Array): Promise<IdentityKeyPair> {
  abytes(bytes, undefined, 'identity key pair');
  const r = new ByteReader(bytes, 'identity key pair');
  readHeader(r, StructureTag.identityKeyPair, 'identity key pair');
  const identity = await readIdentityKeyPair(p, r);
  r.finish();
  return identity;
}

/** Encodes a device's keys for local storage. The result is secret. */
export function encodeDeviceKeys(device: DeviceKeys): Uint8Array {
  const w = new ByteWriter(160);
  writeHeader(w, StructureTag.deviceKeys);
  w.u32(checkU32(device.deviceId, 'device id'));
  writePublicKey(w, KeyType.deviceSigning, device.signing.publicKey);
  writeSecretKey(w, SecretKeyType.deviceSigning, device.signing.secretKey);
  writePublicKey(w, KeyType.x25519, device.dh.publicKey);
  writeSecretKey(w, SecretKeyType.x25519, device.dh.secretKey);
  return w.finish();
}

/** Decodes {@link encodeDeviceKeys}, checking both public keys against their secret keys. */
export async function decodeDeviceKeys(p: CryptoProvider, bytes: Uint8Array): Promise<DeviceKeys> {
  abytes(bytes, undefined, 'device keys');
  const r = new ByteReader(bytes, 'device keys');
  readHeader(r, StructureTag.deviceKeys, 'device keys');
  const deviceId = r.u32();
  const signingPublic = readPublicKey(r, KeyType.deviceSigning, 'device signing key');
  const signingSecret = readSecretKey(r, SecretKeyType.deviceSigning, 'device signing secret key');
  const dhPublic = readPublicKey(r, KeyType.x25519, 'device DH key');
  const dhSecret = readSecretKey(r, SecretKeyType.x25519, 'device DH secret key');
  r.finish();
  const signingOk = equalBytes(await p.ed25519PublicKey(signingSecret), signingPublic);
  const dhOk = equalBytes(await p.x25519PublicKey(dhSecret), dhPublic);
  if (!signingOk || !dhOk)
    throw new SottoError('MALFORMED_ENCODING', 'device keys: public key does not match');
  return markSecret({
    deviceId,
    signing: markSecret({ publicKey: signingPublic, secretKey: signingSecret }),
    dh: markSecret({ publicKey: dhPublic, secretKey: dhSecret }),
  });
}
