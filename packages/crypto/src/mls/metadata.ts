/**
 * The Sotto group metadata (ADR 0018): a GroupContext extension of type 0xF5A0 whose data is the CBOR map
 * `{v: 1, name: text, admins: [account…]}`. It lives in the GroupContext, so every member agrees on it and
 * it changes only by a commit (a GroupContextExtensions proposal) that every member checks.
 *
 * The encoding is deterministic CBOR (RFC 8949 §4.2.1): shortest-form heads, definite lengths, keys in
 * the order `v`, `name`, `admins`, admins sorted and unique. The decoder accepts exactly that form, so one
 * metadata value has one encoding (the tree hash and transcript cover it), and hostile input is refused
 * with MLS_INVALID before anything else reads it.
 */

import type { Extension } from 'ts-mls';
import { fromUtf8, utf8 } from '../bytes.js';
import { SottoError } from '../errors.js';

/** The extension type of the Sotto group metadata (private-use range, RFC 9420 §17.3). */
export const GROUP_METADATA_EXTENSION = 0xf5a0;
/** Longest group name, in characters (Unicode code points). */
export const MAX_GROUP_NAME_CHARS = 128;
/** Most admins one group lists. */
export const MAX_GROUP_ADMINS = 256;

/** A group's name and admin accounts. */
export interface GroupMetadata {
  readonly name: string;
  /** Account names, sorted, unique, at least one. */
  readonly admins: readonly string[];
}

const ACCOUNT = /^[a-z0-9](?:[a-z0-9._-]{1,30})[a-z0-9]$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function bad(why: string): SottoError {
  return new SottoError('MLS_INVALID', `group metadata: ${why}`);
}

/** Throws INVALID_ARGUMENT unless `name` is a valid group name. */
export function checkGroupName(name: string): string {
  const chars = [...name].length;
  if (chars === 0 || chars > MAX_GROUP_NAME_CHARS || CONTROL.test(name) || name.trim() !== name) {
    throw new SottoError(
      'INVALID_ARGUMENT',
      `A group name has 1 to ${MAX_GROUP_NAME_CHARS} characters, no control characters and no surrounding spaces.`,
    );
  }
  return name;
}

/** `admins` sorted and without duplicates. */
export function normalizeAdmins(admins: readonly string[]): string[] {
  return [...new Set(admins)].sort();
}

function head(major: number, n: number): number[] {
  if (n < 24) return [(major << 5) | n];
  if (n < 0x100) return [(major << 5) | 24, n];
  if (n < 0x10000) return [(major << 5) | 25, n >> 8, n & 0xff];
  throw new SottoError('INVALID_ARGUMENT', 'group metadata: too long');
}

function textItem(s: string): number[] {
  const b = utf8(s);
  return [...head(3, b.length), ...b];
}

/** Encodes metadata (INVALID_ARGUMENT when out of bounds). */
export function encodeGroupMetadata(m: GroupMetadata): Uint8Array {
  checkGroupName(m.name);
  const admins = normalizeAdmins(m.admins);
  if (admins.length === 0 || admins.length > MAX_GROUP_ADMINS || !admins.every((a) => ACCOUNT.test(a))) {
    throw new SottoError('INVALID_ARGUMENT', 'group metadata: 1 to 256 valid admin account names');
  }
  const out = [0xa3, ...textItem('v'), 0x01, ...textItem('name'), ...textItem(m.name), ...textItem('admins')];
  out.push(...head(4, admins.length));
  for (const a of admins) out.push(...textItem(a));
  return new Uint8Array(out);
}

class Reader {
  private at = 0;
  constructor(private readonly b: Uint8Array) {}

  private byte(): number {
    const v = this.b[this.at++];
    if (v === undefined) throw bad('truncated');
    return v;
  }

  /** Reads a head of `major` type; only shortest-form lengths below 2^16 are accepted. */
  head(major: number): number {
    const first = this.byte();
    if (first >> 5 !== major) throw bad('unexpected item');
    const info = first & 0x1f;
    if (info < 24) return info;
    if (info === 24) {
      const n = this.byte();
      if (n < 24) throw bad('non-shortest length');
      return n;
    }
    if (info === 25) {
      const n = (this.byte() << 8) | this.byte();
      if (n < 0x100) throw bad('non-shortest length');
      return n;
    }
    throw bad('unsupported length');
  }

  text(max: number): string {
    const n = this.head(3);
    if (n > max || this.at + n > this.b.length) throw bad('text too long or truncated');
    const s = this.b.subarray(this.at, this.at + n);
    this.at += n;
    try {
      return fromUtf8(s);
    } catch {
      throw bad('invalid UTF-8');
    }
  }

  key(expected: string): void {
    if (this.text(16) !== expected) throw bad('unexpected key');
  }

  end(): void {
    if (this.at !== this.b.length) throw bad('trailing bytes');
  }
}

/** Decodes metadata; throws MLS_INVALID for anything but the one canonical encoding of valid metadata. */
export function decodeGroupMetadata(bytes: Uint8Array): GroupMetadata {
  if (bytes.length > 16 * 1024) throw bad('too large');
  const r = new Reader(bytes);
  if (r.head(5) !== 3) throw bad('expected three fields');
  r.key('v');
  if (r.head(0) !== 1) throw bad('unsupported version');
  r.key('name');
  const name = r.text(MAX_GROUP_NAME_CHARS * 4);
  try {
    checkGroupName(name);
  } catch {
    throw bad('invalid name');
  }
  r.key('admins');
  const count = r.head(4);
  if (count === 0 || count > MAX_GROUP_ADMINS) throw bad('admins: 1 to 256');
  const admins: string[] = [];
  for (let i = 0; i < count; i++) {
    const a = r.text(32);
    const prev = admins.at(-1);
    if (!ACCOUNT.test(a) || (prev !== undefined && prev >= a)) throw bad('admins: not sorted valid names');
    admins.push(a);
  }
  r.end();
  return { name, admins };
}

/** The metadata extension. */
export function groupMetadataExtension(m: GroupMetadata): Extension {
  return { extensionType: GROUP_METADATA_EXTENSION, extensionData: encodeGroupMetadata(m) };
}

/** The metadata among GroupContext extensions; throws MLS_INVALID when missing, repeated or malformed. */
export function findGroupMetadata(extensions: readonly Extension[]): GroupMetadata {
  const found = extensions.filter((e) => e.extensionType === GROUP_METADATA_EXTENSION);
  const only = found[0];
  if (found.length !== 1 || only === undefined) throw bad('missing or repeated');
  return decodeGroupMetadata(only.extensionData);
}
