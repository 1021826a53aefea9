/**
 * MLS KeyPackages of a device (RFC 9420 §10, ADR 0018): the leaf signature key is the device's Ed25519
 * signing key and the credential names the device, so a KeyPackage is worth exactly what the account's
 * identity-signed device list vouches for. The private half (init and leaf HPKE keys) stays on the device;
 * the signing seed is the device key itself and is not stored again with it.
 */

import type { Capabilities } from 'ts-mls';
import { decodeMlsMessage, encodeMlsMessage, generateKeyPackageWithKey, type KeyPackage } from 'ts-mls';
import { makeKeyPackageRef, verifyKeyPackage } from 'ts-mls/keyPackage.js';
import { verifyLeafNodeSignatureKeyPackage } from 'ts-mls/leafNode.js';
import { equalBytes } from '../bytes.js';
import { SottoError } from '../errors.js';
import type { CryptoProvider, KeyPair } from '../provider.js';
import { markSecret } from '../secret.js';
import { type MemberDevice, memberCredential, parseMemberCredential } from './credential.js';
import { GROUP_METADATA_EXTENSION } from './metadata.js';
import { GROUP_SUITE_NAMES, type GroupSuite, groupCiphersuite } from './suite.js';

/** How long a KeyPackage is valid (RFC 9420 §10.1 lifetime), from an hour before it was made. */
export const KEY_PACKAGE_LIFETIME_S = 365 * 24 * 3600;

/** The private half of a KeyPackage (secret: store it encrypted at rest, never log it). */
export interface KeyPackageSecrets {
  readonly initPrivateKey: Uint8Array;
  readonly hpkePrivateKey: Uint8Array;
}

/** A KeyPackage made by this device. */
export interface OwnKeyPackage {
  /** The `MLSMessage` (wire format `mls_key_package`) to upload. */
  readonly bytes: Uint8Array;
  /** Its KeyPackageRef (RFC 9420 §5.2): a Welcome names the KeyPackage it is for by this. */
  readonly ref: Uint8Array;
  readonly secrets: KeyPackageSecrets;
}

/** The capabilities every Sotto leaf advertises: MLS 1.0, its suite, basic credentials, the metadata. */
export function memberCapabilities(suite: GroupSuite): Capabilities {
  return {
    versions: ['mls10'],
    ciphersuites: [GROUP_SUITE_NAMES[suite]],
    extensions: [GROUP_METADATA_EXTENSION],
    proposals: [],
    credentials: ['basic'],
  };
}

/**
 * A new KeyPackage for `device`, signed with its signing key pair (`signing.secretKey` is the 32-byte
 * Ed25519 seed). `now` is in milliseconds.
 */
export async function generateMemberKeyPackage(
  p: CryptoProvider,
  input: { device: MemberDevice; signing: KeyPair; suite: GroupSuite; now: number },
): Promise<OwnKeyPackage> {
  const cs = await groupCiphersuite(p, input.suite);
  const nowS = BigInt(Math.floor(input.now / 1000));
  const { publicPackage, privatePackage } = await generateKeyPackageWithKey(
    memberCredential(input.device),
    memberCapabilities(input.suite),
    { notBefore: nowS - 3600n, notAfter: nowS + BigInt(KEY_PACKAGE_LIFETIME_S) },
    [],
    { signKey: input.signing.secretKey, publicKey: input.signing.publicKey },
    cs,
  );
  return {
    bytes: encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: publicPackage }),
    ref: await makeKeyPackageRef(publicPackage, cs.hash),
    secrets: markSecret({
      initPrivateKey: privatePackage.initPrivateKey,
      hpkePrivateKey: privatePackage.hpkePrivateKey,
    }),
  };
}

/** Decodes an `MLSMessage` carrying a KeyPackage (MLS_INVALID otherwise). Nothing is verified yet. */
export function decodeKeyPackageMessage(bytes: Uint8Array): KeyPackage {
  let decoded: ReturnType<typeof decodeMlsMessage>;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch {
    decoded = undefined;
  }
  if (decoded === undefined || decoded[1] !== bytes.length) {
    throw new SottoError('MLS_INVALID', 'KeyPackage: malformed');
  }
  const m = decoded[0];
  if (m.wireformat !== 'mls_key_package' || m.version !== 'mls10') {
    throw new SottoError('MLS_INVALID', 'KeyPackage: not a KeyPackage');
  }
  return m.keyPackage;
}

/**
 * Decodes and verifies a claimed KeyPackage: the suite, both signatures, a credential naming `device`, a
 * leaf signature key equal to `signingKey` (the key the device list vouches for), the Sotto capabilities,
 * and distinct init and leaf keys. Throws MLS_INVALID (malformed, wrong suite, bad signature) or
 * GROUP_CREDENTIAL_INVALID (another device, or a key the device list does not name).
 */
export async function verifyMemberKeyPackage(
  p: CryptoProvider,
  bytes: Uint8Array,
  expected: { suite: GroupSuite; device: MemberDevice; signingKey: Uint8Array },
): Promise<KeyPackage> {
  const kp = decodeKeyPackageMessage(bytes);
  const cs = await groupCiphersuite(p, expected.suite);
  if (kp.cipherSuite !== GROUP_SUITE_NAMES[expected.suite]) {
    throw new SottoError('MLS_INVALID', 'KeyPackage: another ciphersuite');
  }
  const named = parseMemberCredential(kp.leafNode.credential);
  if (
    named.account !== expected.device.account ||
    named.deviceId !== expected.device.deviceId ||
    !equalBytes(kp.leafNode.signaturePublicKey, expected.signingKey)
  ) {
    throw new SottoError('GROUP_CREDENTIAL_INVALID', 'KeyPackage: not the listed device key');
  }
  const caps = kp.leafNode.capabilities;
  if (
    kp.leafNode.leafNodeSource !== 'key_package' ||
    !caps.extensions.includes(GROUP_METADATA_EXTENSION) ||
    !caps.credentials.includes('basic') ||
    equalBytes(kp.initKey, kp.leafNode.hpkePublicKey) ||
    !(await verifyKeyPackage(kp, cs.signature)) ||
    !(await verifyLeafNodeSignatureKeyPackage(kp.leafNode, cs.signature))
  ) {
    throw new SottoError('MLS_INVALID', 'KeyPackage: does not verify');
  }
  return kp;
}

/** The KeyPackageRef of `kp` in `suite`. */
export async function keyPackageRef(
  p: CryptoProvider,
  suite: GroupSuite,
  kp: KeyPackage,
): Promise<Uint8Array> {
  return makeKeyPackageRef(kp, (await groupCiphersuite(p, suite)).hash);
}
