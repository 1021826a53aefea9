/**
 * An image in a bubble: a frame sized by the thumbnail's proportions (so nothing jumps when the image
 * arrives) showing the thumbnail at once, then the verified image; a click opens the viewer, or fetches
 * an image too large to come by itself. An image the browser cannot decode falls back to its card.
 */
import type { FileThumbnail } from '@sotto/client';
import { useMemo, useState } from 'react';
import { Icon } from '../components/Icon.js';
import { formatBytes } from '../lib/file-size.js';
import { useObjectUrl } from '../lib/use-object-url.js';
import { FileCard } from './FileCard.js';
import { ImageViewer } from './ImageViewer.js';
import { fitted } from './thumbnail.js';
import type { FileView } from './use-file-view.js';

/** The frame's longer side, px. */
const FRAME_EDGE = 300;

/** Props of {@link ImageFile}. */
export interface ImageFileProps {
  readonly view: FileView;
  readonly onSave: () => void;
}

/** A `data:` URL of the thumbnail (its bytes came inside the message). */
function thumbnailUrl(t: FileThumbnail | undefined): string | undefined {
  if (t === undefined) return undefined;
  let s = '';
  for (const b of t.bytes) s += String.fromCharCode(b);
  return `data:${t.mediaType};base64,${btoa(s)}`;
}

/** The image. */
export function ImageFile({ view, onSave }: ImageFileProps) {
  const { file, blob, fetchable } = view;
  const [open, setOpen] = useState(false);
  const [undecodable, setUndecodable] = useState<Blob>();
  const full = useObjectUrl(blob);
  const thumb = useMemo(() => thumbnailUrl(file.thumbnail), [file.thumbnail]);
  const box = fitted(file.thumbnail?.width ?? 4, file.thumbnail?.height ?? 3, FRAME_EDGE);

  if (blob !== undefined && undecodable === blob) return <FileCard view={view} onSave={onSave} />;
  const click = () => {
    if (blob !== undefined) setOpen(true);
    else if (fetchable) void view.fetch();
  };
  const label =
    blob !== undefined ? `Open ${file.name}` : `Download ${file.name} (${formatBytes(file.size)})`;
  return (
    <>
      <button
        type="button"
        className="image-frame"
        style={{ width: `${box.width}px`, aspectRatio: `${box.width} / ${box.height}` }}
        onClick={click}
        disabled={blob === undefined && !fetchable}
        aria-label={label}
        title={file.name}
      >
        {full !== undefined ? (
          <img className="file-full" src={full} alt={file.name} onError={() => setUndecodable(blob)} />
        ) : thumb !== undefined ? (
          <img className="file-thumb" src={thumb} alt={`Preview of ${file.name}`} />
        ) : (
          <span className="image-empty">
            <Icon name="image" />
          </span>
        )}
        {blob === undefined && fetchable && (
          <span className="image-fetch" aria-hidden="true">
            <Icon name="download" /> {formatBytes(file.size)}
          </span>
        )}
      </button>
      {open && blob !== undefined && (
        <ImageViewer blob={blob} name={file.name} onSave={onSave} onClose={() => setOpen(false)} />
      )}
    </>
  );
}
