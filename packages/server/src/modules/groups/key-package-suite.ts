/**
 * The ciphersuite an encoded KeyPackage declares, read from its first bytes (RFC 9420 §6, §10): an
 * `MLSMessage` starts with `version` (u16, 1 = mls10) and `wire_format` (u16, 5 = mls_key_package), and
 * a KeyPackage with `version` (u16) and `cipher_suite` (u16). The server reads only this header (the
 * bytes are hostile; nothing past it is interpreted): members verify the rest before using a KeyPackage.
 */
import { DEFAULT_KEY_PACKAGE_SUITE } from '@sotto/protocol';

const MLS10 = 1;
const WIRE_FORMAT_KEY_PACKAGE = 5;
/** Bytes of the header read here. */
const HEADER_BYTES = 8;

/** The `cipher_suite` of an `MLSMessage` carrying an MLS 1.0 KeyPackage, or undefined for anything else. */
export function keyPackageSuite(encoded: Uint8Array): number | undefined {
  if (encoded.length <= HEADER_BYTES) return undefined;
  const u16 = (at: number) => ((encoded[at] ?? 0) << 8) | (encoded[at + 1] ?? 0);
  if (u16(0) !== MLS10 || u16(2) !== WIRE_FORMAT_KEY_PACKAGE || u16(4) !== MLS10) return undefined;
  return u16(6);
}

/** The suite a KeyPackage frame names (absent: X-Wing, what clients from before suites use). */
export const suiteOf = (f: { readonly suite?: number | undefined }): number =>
  f.suite ?? DEFAULT_KEY_PACKAGE_SUITE;

/** `suite` as the server's frames carry it: left out for X-Wing, so clients from before suites decode them. */
export const suiteField = (suite: number): { suite?: number } =>
  suite === DEFAULT_KEY_PACKAGE_SUITE ? {} : { suite };
