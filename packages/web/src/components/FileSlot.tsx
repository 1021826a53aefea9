/**
 * Where a message's file shows: the files UI's part of the bubble once its code is loaded (it loads after
 * sign-in, in the background), and until then a line with the file's name and size.
 */
import type { FileInfo, Message } from '@sotto/client';
import { lazy, Suspense } from 'react';
import { formatBytes } from '../lib/file-size.js';
import { useFiles } from '../lib/files-access.js';

const FileBody = lazy(() => import('../files/index.js').then((m) => ({ default: m.FileBody })));

/** Props of {@link FileSlot}. */
export interface FileSlotProps {
  readonly message: Message & { file: FileInfo };
}

/** The file of a message. */
export function FileSlot({ message }: FileSlotProps) {
  const { kit } = useFiles();
  const placeholder = (
    <p className="file-placeholder" aria-busy="true">
      {message.file.name} · {formatBytes(message.file.size)}
    </p>
  );
  if (kit === undefined) return placeholder;
  return (
    <Suspense fallback={placeholder}>
      <FileBody kit={kit} message={message} />
    </Suspense>
  );
}
