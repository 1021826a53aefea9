/**
 * The small preview sent inside the end-to-end encrypted file message: the image decoded by the browser
 * and drawn on a canvas at most {@link THUMBNAIL_EDGE} px on its longer side, as WebP (JPEG where the
 * browser cannot encode WebP), at falling quality and size until it fits the SDK's 16 KiB. Nothing leaves
 * the page: it travels only inside the message.
 */
import type { FileThumbnail } from '@sotto/client';

/** The longer side of a thumbnail, px. */
export const THUMBNAIL_EDGE = 320;
/** The SDK's limit for a thumbnail (`MAX_THUMBNAIL_BYTES` of `@sotto/client`'s content). */
export const THUMBNAIL_MAX_BYTES = 16 * 1024;

/** Sizes and qualities tried in order. */
const ATTEMPTS: ReadonlyArray<readonly [edge: number, quality: number]> = [
  [320, 0.8],
  [320, 0.6],
  [320, 0.45],
  [240, 0.5],
  [160, 0.5],
  [96, 0.4],
];

function encode(canvas: HTMLCanvasElement, type: string, quality: number): Promise<Blob | null> {
  return new Promise((resolve) => canvas.toBlob(resolve, type, quality));
}

/** The dimensions of an image `width`×`height` fitted into `edge`. */
export function fitted(width: number, height: number, edge: number): { width: number; height: number } {
  const scale = Math.min(1, edge / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** WebP when this browser encodes it (a 1×1 canvas says), else JPEG. */
async function encoderType(canvas: HTMLCanvasElement): Promise<FileThumbnail['mediaType']> {
  canvas.width = 1;
  canvas.height = 1;
  const probe = await encode(canvas, 'image/webp', 0.5);
  return probe?.type === 'image/webp' ? 'image/webp' : 'image/jpeg';
}

/** A thumbnail of image `file`, or undefined when the browser cannot decode it. */
export async function makeThumbnail(file: Blob): Promise<FileThumbnail | undefined> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return undefined;
  }
  try {
    const canvas = document.createElement('canvas');
    const g = canvas.getContext('2d');
    if (g === null) return undefined;
    const type = await encoderType(canvas);
    for (const [edge, quality] of ATTEMPTS) {
      const size = fitted(bitmap.width, bitmap.height, edge);
      canvas.width = size.width;
      canvas.height = size.height;
      if (type === 'image/jpeg') {
        g.fillStyle = '#fff'; // JPEG has no transparency
        g.fillRect(0, 0, size.width, size.height);
      }
      g.drawImage(bitmap, 0, 0, size.width, size.height);
      const blob = await encode(canvas, type, quality);
      if (blob === null || blob.type !== type) return undefined;
      if (blob.size <= THUMBNAIL_MAX_BYTES) return thumbnailOf(blob, type, size);
    }
    return undefined;
  } finally {
    bitmap.close();
  }
}

async function thumbnailOf(
  blob: Blob,
  mediaType: FileThumbnail['mediaType'],
  size: { width: number; height: number },
): Promise<FileThumbnail> {
  return { bytes: new Uint8Array(await blob.arrayBuffer()), mediaType, ...size };
}
