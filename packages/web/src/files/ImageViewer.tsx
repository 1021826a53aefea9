/**
 * An image shown large in a modal dialog (the browser's top layer): Escape, the close button or a click
 * beside the image closes it; Download saves the verified file.
 */
import { useEffect, useRef } from 'react';
import { createPortal } from 'react-dom';
import { useObjectUrl } from '../lib/use-object-url.js';

/** Props of {@link ImageViewer}. */
export interface ImageViewerProps {
  readonly blob: Blob;
  readonly name: string;
  readonly onSave: () => void;
  readonly onClose: () => void;
}

/** The viewer. */
export function ImageViewer({ blob, name, onSave, onClose }: ImageViewerProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const url = useObjectUrl(blob);
  useEffect(() => {
    const d = ref.current;
    if (d !== null && !d.open) d.showModal();
  }, []);
  return createPortal(
    <dialog
      ref={ref}
      className="viewer"
      aria-label={name}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <header className="viewer-bar">
        <span className="viewer-name">{name}</span>
        <button type="button" onClick={onSave}>
          Download
        </button>
        <button type="button" onClick={onClose} aria-label="Close">
          ✕
        </button>
      </header>
      {url !== undefined && <img className="viewer-image" src={url} alt={name} />}
    </dialog>,
    document.body,
  );
}
