/** What the page does with a file of a given media type. */
import type { IconName } from '../components/Icon.js';

/** How a file is shown. */
export type FileKind = 'image' | 'audio' | 'video' | 'other';

/**
 * Image types shown inline (SVG is not among them: it is a document, shown as a file). The browser
 * decodes the verified bytes; an image that does not decode falls back to the file card.
 */
const INLINE_IMAGES = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/bmp',
]);

/** Received files up to this size are downloaded as soon as they show (images and voice notes). */
export const AUTO_DOWNLOAD_BYTES = 2 << 20;

/** The kind of a file of media type `type`. */
export function kindOf(type: string): FileKind {
  if (INLINE_IMAGES.has(type)) return 'image';
  if (type.startsWith('audio/')) return 'audio';
  if (type.startsWith('video/')) return 'video';
  return 'other';
}

/** True when a file of this kind and size is fetched without asking. */
export function downloadsByItself(kind: FileKind, size: number): boolean {
  return (kind === 'image' || kind === 'audio') && size <= AUTO_DOWNLOAD_BYTES;
}

/** The icon of the file card. */
export function iconOf(type: string): IconName {
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('audio/')) return 'audio';
  if (type.startsWith('video/')) return 'video';
  if (/zip|compressed|tar|x-7z|x-rar/.test(type)) return 'archive';
  return 'file';
}

/** A short label of the type: the name's extension (`PDF`, `TXT`), else the media subtype. */
export function typeLabel(name: string, type: string): string {
  const ext = /\.([A-Za-z0-9]{1,5})$/.exec(name)?.[1];
  if (ext !== undefined) return ext.toUpperCase();
  const sub = (type.split('/')[1] ?? type).replace(/^(x-|vnd\.)/, '');
  return sub.length > 0 && sub.length <= 8 ? sub.toUpperCase() : type;
}
