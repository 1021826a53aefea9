/**
 * The names received files are saved under. A name comes from another person's device: the SDK cleans it
 * on arrival (no path separators, controls or formatting characters, not `.` or `..`), and this module
 * guards again, as the last step before the file system: whatever the name, the file lands directly in
 * the chosen directory, under a name that is not hidden, does not start like an option, fits the file
 * system's 255-byte limit, and never replaces a file that is already there.
 */
import { basename, dirname, extname, join, resolve } from 'node:path';
import { CliError, EXIT } from './exit-codes.js';

/** Most UTF-8 bytes of a saved name: file systems allow 255, and " (9999)" must still fit. */
export const MAX_NAME_BYTES = 240;
/** Longest extension kept when a long name is shortened, in UTF-8 bytes (with its dot). */
const MAX_EXTENSION_BYTES = 20;
/** How many numbered variants ("name (1).ext" …) are tried before giving up. */
const MAX_VARIANTS = 9999;

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/** `text` cut to at most `bytes` UTF-8 bytes, on a code point boundary. */
function cutToBytes(text: string, bytes: number): string {
  let out = '';
  for (const c of text) {
    if (utf8(out) + utf8(c) > bytes) break;
    out += c;
  }
  return out;
}

/**
 * A file name safe to create in a directory: controls, formatting (bidi) characters and line separators
 * removed, `/` and `\` replaced, leading dots and dashes replaced (no hidden file, no `..`, nothing a
 * command would take for an option), at most {@link MAX_NAME_BYTES} bytes with the extension kept;
 * `file` when nothing is left.
 */
export function safeFileName(name: string): string {
  let s = name
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/[/\\]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.-]+/, (lead) => '_'.repeat(lead.length));
  if (s === '') s = 'file';
  if (utf8(s) <= MAX_NAME_BYTES) return s;
  const ext = extname(s);
  const keep = ext !== '' && utf8(ext) <= MAX_EXTENSION_BYTES ? ext : '';
  return cutToBytes(s.slice(0, s.length - keep.length), MAX_NAME_BYTES - utf8(keep)) + keep;
}

/** `name`, then `base (1).ext`, `base (2).ext`, … (a safe name stays within the byte limit + 7). */
export function* nameVariants(name: string): Generator<string> {
  yield name;
  const ext = extname(name);
  const base = name.slice(0, name.length - ext.length);
  for (let i = 1; i <= MAX_VARIANTS; i++) yield `${base} (${i})${ext}`;
}

/**
 * The path of `name` in `dir`, checked to be directly inside it.
 * @throws CliError INTERNAL when it is not (a name {@link safeFileName} did not make).
 */
export function pathInside(dir: string, name: string): string {
  const root = resolve(dir);
  const path = resolve(join(root, name));
  if (dirname(path) !== root || basename(path) !== name) {
    throw new CliError('INTERNAL', 'refused a file name that leaves the directory', EXIT.OTHER);
  }
  return path;
}
