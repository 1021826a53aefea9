/**
 * File names and media types, as they travel and as they arrive. A name comes from another device and
 * ends up in a file system or on a screen, so it is cleaned on arrival: no path separators, no control
 * or formatting characters (a right-to-left override could disguise `exe` as `txt`), not `.` or `..`, at
 * most 255 characters.
 */

/** Longest file name, in characters. */
export const MAX_FILE_NAME_CHARS = 255;
/** Longest media type, in characters. */
export const MAX_MEDIA_TYPE_CHARS = 127;

/** `type/subtype` with RFC 6838 restricted names, lower-case, no parameters. */
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$/;

/** A name that is safe to show and to use as a file name in a chosen directory. */
export function cleanFileName(name: string): string {
  const cleaned = name
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, '')
    .replace(/[/\\]/g, '_')
    .replace(/\s+/g, ' ')
    .trim();
  const short = [...cleaned].slice(0, MAX_FILE_NAME_CHARS).join('');
  return short === '' || /^\.+$/.test(short) ? 'file' : short;
}

/** True for a media type such as `image/png` (lower case, at most 127 characters, no parameters). */
export function isMediaType(value: string): boolean {
  return value.length <= MAX_MEDIA_TYPE_CHARS && MEDIA_TYPE.test(value);
}

const BY_EXTENSION: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  heic: 'image/heic',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  json: 'application/json',
  zip: 'application/zip',
  gz: 'application/gzip',
  tar: 'application/x-tar',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  wav: 'audio/wav',
  mp4: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/quicktime',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  odt: 'application/vnd.oasis.opendocument.text',
};

/** The media type of a file name's extension, or `application/octet-stream`. */
export function mediaTypeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  const ext = dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
  return BY_EXTENSION[ext] ?? 'application/octet-stream';
}
