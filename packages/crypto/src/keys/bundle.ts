/**
 * Prekey bundles (PQXDH rev. 2 §3.2): what the server hands out so another device can start a session
 * with one of ours. The server assembles it but cannot forge it: {@link verifyPrekeyBundle} checks the
 * device certificate against the identity key the caller trusts, then both prekey signatures against the
 * certified device signing key.
 *
 * Encoding: `[version][0x26] deviceCertificate signedPrekey kemPrekey hasOneTime u8 [oneTimePrekey]`, each
 * part in its own tagged encoding.
 */

import { ByteReader, ByteWriter } from '../binary.js';
import { abytes } from '../bytes.js';
import type { CryptoProvider } from '../provider.js';
import type { DeviceCertificate } from './certificate.js';
import { encodeDeviceCertificate, readDeviceCertificate, verifyDeviceCertificate } from './certificate.js';
import { readBool, readHeader, StructureTag, writeHeader } from './encoding.js';
import type { KemPrekey, OneTimePrekey, SignedPrekey } from './prekeys.js';
import {
  encodeKemPrekey,
  encodeOneTimePrekey,
  encodeSignedPrekey,
  readKemPrekey,
  readOneTimePrekey,
  readSignedPrekey,
  verifyKemPrekey,
  verifySignedPrekey,
} from './prekeys.js';

/** One device's published keys, as served to a device that wants to open a session with it. */
export interface PrekeyBundle {
  readonly deviceCertificate: DeviceCertificate;
  readonly signedPrekey: SignedPrekey;
  /** A one-time ML-KEM-768 prekey, or the last-resort one when they ran out. */
  readonly kemPrekey: KemPrekey;
  /** Absent when the device's one-time X25519 prekeys ran out. */
  readonly oneTimePrekey?: OneTimePrekey;
}

/** Encodes a bundle. Throws INVALID_ARGUMENT on a field out of range. */
export function encodePrekeyBundle(bundle: PrekeyBundle): Uint8Array {
  const w = new ByteWriter(2048);
  writeHeader(w, StructureTag.prekeyBundle);
  w.raw(encodeDeviceCertificate(bundle.deviceCertificate));
  w.raw(encodeSignedPrekey(bundle.signedPrekey));
  w.raw(encodeKemPrekey(bundle.kemPrekey));
  if (bundle.oneTimePrekey === undefined) w.u8(0);
  else w.u8(1).raw(encodeOneTimePrekey(bundle.oneTimePrekey));
  return w.finish();
}

/**
 * Decodes a bundle (no signature checks: call {@link verifyPrekeyBundle}).
 * Throws MALFORMED_ENCODING, UNSUPPORTED_VERSION or WRONG_KEY_TYPE.
 */
export function decodePrekeyBundle(bytes: Uint8Array): PrekeyBundle {
  abytes(bytes, undefined, 'prekey bundle');
  const r = new ByteReader(bytes, 'prekey bundle');
  readHeader(r, StructureTag.prekeyBundle, 'prekey bundle');
  const deviceCertificate = readDeviceCertificate(r);
  const signedPrekey = readSignedPrekey(r);
  const kemPrekey = readKemPrekey(r);
  const hasOneTime = readBool(r, 'one-time prekey flag');
  const oneTimePrekey = hasOneTime ? readOneTimePrekey(r) : undefined;
  r.finish();
  return oneTimePrekey === undefined
    ? { deviceCertificate, signedPrekey, kemPrekey }
    : { deviceCertificate, signedPrekey, kemPrekey, oneTimePrekey };
}

/**
 * Verifies a bundle before any key in it is used: the certificate must be issued by `expectedIdentityKey`
 * (UNTRUSTED_IDENTITY otherwise) with a valid signature, and both prekeys must be signed by the certified
 * device signing key for the certified device id (INVALID_SIGNATURE otherwise). One-time X25519 prekeys
 * are unsigned by design (X3DH §3.2); they add forward secrecy, not authentication.
 */
export async function verifyPrekeyBundle(
  p: CryptoProvider,
  bundle: PrekeyBundle,
  expectedIdentityKey: Uint8Array,
): Promise<void> {
  const cert = bundle.deviceCertificate;
  await verifyDeviceCertificate(p, cert, expectedIdentityKey);
  await verifySignedPrekey(p, bundle.signedPrekey, cert);
  await verifyKemPrekey(p, bundle.kemPrekey, cert);
}
