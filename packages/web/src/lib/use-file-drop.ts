/**
 * Files dragged onto an element: whether some are over it now, and the handlers that take them. Files
 * dropped anywhere else on the page are refused, so a missed drop never makes the browser leave the app
 * to open the file.
 */
import { type DragEvent, useEffect, useRef, useState } from 'react';

/** What {@link useFileDrop} gives. */
export interface FileDrop {
  /** True while files are dragged over the element. */
  readonly over: boolean;
  readonly handlers: {
    onDragEnter(e: DragEvent): void;
    onDragOver(e: DragEvent): void;
    onDragLeave(e: DragEvent): void;
    onDrop(e: DragEvent): void;
  };
}

const carriesFiles = (e: { dataTransfer: DataTransfer | null }) =>
  e.dataTransfer?.types.includes('Files') === true;

/** While mounted, files dropped outside a drop target are refused (not opened by the browser). */
export function useNoFileNavigation(): void {
  useEffect(() => {
    const refuse = (e: globalThis.DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer !== null) e.dataTransfer.dropEffect = 'none';
    };
    window.addEventListener('dragover', refuse);
    window.addEventListener('drop', refuse);
    return () => {
      window.removeEventListener('dragover', refuse);
      window.removeEventListener('drop', refuse);
    };
  }, []);
}

/** Calls `onFiles` with the files dropped, while `enabled`. */
export function useFileDrop(enabled: boolean, onFiles: (files: File[]) => void): FileDrop {
  const [over, setOver] = useState(false);
  const depth = useRef(0); // enter/leave also fire for the element's children
  const take = (e: DragEvent) => {
    if (!enabled || !carriesFiles(e)) return false;
    e.preventDefault();
    return true;
  };
  return {
    over: over && enabled,
    handlers: {
      onDragEnter(e) {
        if (!take(e)) return;
        depth.current++;
        setOver(true);
      },
      onDragOver(e) {
        if (take(e)) e.dataTransfer.dropEffect = 'copy';
      },
      onDragLeave(e) {
        if (!take(e)) return;
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setOver(false);
      },
      onDrop(e) {
        depth.current = 0;
        setOver(false);
        if (!take(e)) return;
        const files = [...e.dataTransfer.files];
        if (files.length > 0) onFiles(files);
      },
    },
  };
}
