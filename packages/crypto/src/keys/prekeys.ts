/**
 * Prekeys (DESIGN §3, PQXDH rev. 2 §2.5 / X3DH §3.2): a signed X25519 prekey (rotated), ML-KEM-768 prekeys
 * (one-time, or a last-resort one reused until replaced) signed by the DEVICE signing key, and unsigned
 * one-time X25519 prekeys.
 *
 * Each signature is over `label || [version][structure tag] || deviceId u32 || device signing key ||
 * the prekey's encoded fields`, so it is bound to the protocol version and the key type, and a prekey
 * cannot be moved to another device (or another id) of the same account without failing verification.
 */

import { ByteReader, ByteWriter } from '../binary.js';
import { abytes } from '../bytes.js';
import { SottoError } from '../errors.js';
import { LABELS } from '../labels.js';
import type { CryptoProvider } from '../provider.js';
import { SIZES } from '../provider.js';
import { markSecret } from '../secret.js';
import { checkTimestamp, checkU32, readBool, readHeader, StructureTag, writeHeader } from './encoding.js';
import type { DeviceKeys } from './identity.js';
import { KeyType, readPublicKey, writePublicKey } from './key-types.js';
import { checkMlKemPublicKey } from './mlkem-key.js';

/** The device a signed prekey belongs to: a {@link DeviceCertificate} or a device list entry fits. */
export interface DeviceRef {
  readonly deviceId: number;
  /** The device's Ed25519 signing public key (raw). */
  readonly signingKey: Uint8Array;
}

/** A signed X25519 prekey, as published. */
export interface SignedPrekey {
  readonly id: number;
  /** Raw X25519 public key. */
  readonly publicKey: Uint8Array;
  /** Milliseconds since the Unix epoch (drives rotation). */
  readonly createdAt: number;
  readonly signature: Uint8Array;
}

/** A signed ML-KEM-768 prekey, as published. */
export interface KemPrekey {
  readonly id: number;
  /** Raw ML-KEM-768 encapsulation key (1,184 bytes). */
  readonly publicKey: Uint8Array;
  /** True for the last-resort key, which is served when the one-time KEM prekeys run out. */
  readonly lastResort: boolean;
  readonly signature: Uint8Array;
}

/** An unsigned one-time X25519 prekey, as published. */
export interface OneTimePrekey {
  readonly id: number;
  /** Raw X25519 public key. */
  readonly publicKey: Uint8Array;
}

/** A prekey's public part and its secret key. Renders as `[redacted]`. */
export interface PrekeyPair<T> {
  readonly public: T;
  readonly secretKey: Uint8Array;
}

/** Most one-time prekeys generated in one call. */
export const MAX_ONE_TIME_PREKEYS_PER_CALL = 1000;

function writeSignedPrekeyFields(w: ByteWriter, k: Omit<SignedPrekey, 'signature'>): void {
  w.u32(checkU32(k.id, 'prekey id'));
  writePublicKey(w, KeyType.x25519, k.publicKey);
  w.u64(checkTimestamp(k.createdAt, 'createdAt'));
}

function writeKemPrekeyFields(w: ByteWriter, k: Omit<KemPrekey, 'signature'>): void {
  if (typeof k.lastResort !== 'boolean')
    throw new SottoError('INVALID_ARGUMENT', 'lastResort: expected boolean');
  w.u32(checkU32(k.id, 'prekey id'));
  writePublicKey(w, KeyType.mlkem768, k.publicKey);
  w.u8(k.lastResort ? 1 : 0);
}

function signedMessage(label: string, tag: StructureTag, device: DeviceRef, fields: (w: ByteWriter) => void) {
  const w = new ByteWriter(1400);
  w.string(label);
  writeHeader(w, tag);
  w.u32(checkU32(device.deviceId, 'device id'));
  writePublicKey(w, KeyType.deviceSigning, device.signingKey);
  fields(w);
  return w.finish();
}

const signedPrekeyMessage = (device: DeviceRef, k: Omit<SignedPrekey, 'signature'>) =>
  signedMessage(LABELS.keysSignedPrekey, StructureTag.signedPrekey, device, (w) =>
    writeSignedPrekeyFields(w, k),
  );

const kemPrekeyMessage = (device: DeviceRef, k: Omit<KemPrekey, 'signature'>) =>
  signedMessage(LABELS.keysKemPrekey, StructureTag.kemPrekey, device, (w) => writeKemPrekeyFields(w, k));

const refOf = (device: DeviceKeys): DeviceRef => ({
  deviceId: device.deviceId,
  signingKey: device.signing.publicKey,
});

/** Generates a signed X25519 prekey, signed by the device's signing key. */
export async function generateSignedPrekey(
  p: CryptoProvider,
  device: DeviceKeys,
  id: number,
  createdAt: number,
): Promise<PrekeyPair<SignedPrekey>> {
  const kp = await p.x25519Generate();
  const fields = { id, publicKey: kp.publicKey, createdAt };
  const signature = await p.ed25519Sign(device.signing.secretKey, signedPrekeyMessage(refOf(device), fields));
  return markSecret({ public: { ...fields, signature }, secretKey: kp.secretKey });
}

/** Generates a signed ML-KEM-768 prekey (one-time, or last-resort when `lastResort` is true). */
export async function generateKemPrekey(
  p: CryptoProvider,
  device: DeviceKeys,
  id: number,
  options: { readonly lastResort: boolean },
): Promise<PrekeyPair<KemPrekey>> {
  const kp = await p.mlkem768Generate();
  const fields = { id, publicKey: kp.publicKey, lastResort: options.lastResort };
  const signature = await p.ed25519Sign(device.signing.secretKey, kemPrekeyMessage(refOf(device), fields));
  return markSecret({ public: { ...fields, signature }, secretKey: kp.secretKey });
}

/** Generates `count` one-time X25519 prekeys with ids `startId`, `startId + 1`, … (all u32). */
export async function generateOneTimePrekeys(
  p: CryptoProvider,
  startId: number,
  count: number,
): Promise<Array<PrekeyPair<OneTimePrekey>>> {
  checkU32(startId, 'start id');
  if (!Number.isInteger(count) || count < 0 || count > MAX_ONE_TIME_PREKEYS_PER_CALL) {
    throw new SottoError('INVALID_ARGUMENT', `count: expected 0..${MAX_ONE_TIME_PREKEYS_PER_CALL}`);
  }
  checkU32(startId + Math.max(count - 1, 0), 'last prekey id');
  const out: Array<PrekeyPair<OneTimePrekey>> = [];
  for (let i = 0; i < count; i++) {
    const kp = await p.x25519Generate();
    out.push(markSecret({ public: { id: startId + i, publicKey: kp.publicKey }, secretKey: kp.secretKey }));
  }
  return out;
}

/** Encodes a signed prekey: `[version][0x23] id u32, X25519 key, createdAt u64, signature`. */
export function encodeSignedPrekey(k: SignedPrekey): Uint8Array {
  const w = new ByteWriter(2 + 4 + 34 + 8 + 64);
  writeHeader(w, StructureTag.signedPrekey);
  writeSignedPrekeyFields(w, k);
  w.raw(abytes(k.signature, SIZES.ed25519Signature, 'signature'));
  return w.finish();
}

/** Reads a signed prekey from inside a larger structure. */
export function readSignedPrekey(r: ByteReader): SignedPrekey {
  readHeader(r, StructureTag.signedPrekey, 'signed prekey');
  const id = r.u32();
  const publicKey = readPublicKey(r, KeyType.x25519, 'signed prekey');
  const createdAt = r.u64();
  const signature = r.raw(SIZES.ed25519Signature);
  return { id, publicKey, createdAt, signature };
}

/** Decodes a signed prekey; throws MALFORMED_ENCODING, UNSUPPORTED_VERSION or WRONG_KEY_TYPE. */
export function decodeSignedPrekey(bytes: Uint8Array): SignedPrekey {
  abytes(bytes, undefined, 'signed prekey');
  const r = new ByteReader(bytes, 'signed prekey');
  const k = readSignedPrekey(r);
  r.finish();
  return k;
}

/** Checks a signed prekey's signature by `device`; throws INVALID_SIGNATURE. */
export async function verifySignedPrekey(
  p: CryptoProvider,
  k: SignedPrekey,
  device: DeviceRef,
): Promise<void> {
  if (!(await p.ed25519Verify(device.signingKey, signedPrekeyMessage(device, k), k.signature))) {
    throw new SottoError('INVALID_SIGNATURE', 'signed prekey: signature does not verify');
  }
}

/** Encodes a KEM prekey: `[version][0x24] id u32, ML-KEM-768 key, lastResort u8, signature`. */
export function encodeKemPrekey(k: KemPrekey): Uint8Array {
  const w = new ByteWriter(2 + 4 + 2 + SIZES.mlkem768PublicKey + 1 + 64);
  writeHeader(w, StructureTag.kemPrekey);
  writeKemPrekeyFields(w, k);
  w.raw(abytes(k.signature, SIZES.ed25519Signature, 'signature'));
  return w.finish();
}

/** Reads a KEM prekey from inside a larger structure. */
export function readKemPrekey(r: ByteReader): KemPrekey {
  readHeader(r, StructureTag.kemPrekey, 'KEM prekey');
  const id = r.u32();
  const publicKey = readPublicKey(r, KeyType.mlkem768, 'KEM prekey');
  const lastResort = readBool(r, 'lastResort');
  const signature = r.raw(SIZES.ed25519Signature);
  return { id, publicKey, lastResort, signature };
}

/** Decodes a KEM prekey; throws MALFORMED_ENCODING, UNSUPPORTED_VERSION or WRONG_KEY_TYPE. */
export function decodeKemPrekey(bytes: Uint8Array): KemPrekey {
  abytes(bytes, undefined, 'KEM prekey');
  const r = new ByteReader(bytes, 'KEM prekey');
  const k = readKemPrekey(r);
  r.finish();
  return k;
}

/**
 * Checks a KEM prekey: a well-formed, non-degenerate ML-KEM-768 key (INVALID_PUBLIC_KEY, see
 * `mlkem-key.ts`) signed by `device` (INVALID_SIGNATURE).
 */
export async function verifyKemPrekey(p: CryptoProvider, k: KemPrekey, device: DeviceRef): Promise<void> {
  checkMlKemPublicKey(k.publicKey, 'KEM prekey');
  if (!(await p.ed25519Verify(device.signingKey, kemPrekeyMessage(device, k), k.signature))) {
    throw new SottoError('INVALID_SIGNATURE', 'KEM prekey: signature does not verify');
  }
}

/** Encodes a one-time prekey: `[version][0x25] id u32, X25519 key`. */
export function encodeOneTimePrekey(k: OneTimePrekey): Uint8Array {
  const w = new ByteWriter(2 + 4 + 34);
  writeHeader(w, StructureTag.oneTimePrekey);
  w.u32(checkU32(k.id, 'prekey id'));
  writePublicKey(w, KeyType.x25519, k.publicKey);
  return w.finish();
}

/** Reads a one-time prekey from inside a larger structure. */
export function readOneTimePrekey(r: ByteReader): OneTimePrekey {
  readHeader(r, StructureTag.oneTimePrekey, 'one-time prekey');
  const id = r.u32();
  return { id, publicKey: readPublicKey(r, KeyType.x25519, 'one-time prekey') };
}

/** Decodes a one-time prekey; throws MALFORMED_ENCODING, UNSUPPORTED_VERSION or WRONG_KEY_TYPE. */
export function decodeOneTimePrekey(bytes: Uint8Array): OneTimePrekey {
  abytes(bytes, undefined, 'one-time prekey');
  const r = new ByteReader(bytes, 'one-time prekey');
  const k = readOneTimePrekey(r);
  r.finish();
  return k;
}
