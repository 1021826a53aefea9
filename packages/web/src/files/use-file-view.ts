/**
 * What a file bubble shows and may do, from the message, its transfers and the page's verified copy:
 * the one place that decides when a file can be fetched, and that fetches small images and voice notes
 * by themselves.
 */
import type { FileInfo, FileProgressEvent, Message } from '@sotto/client';
import { useEffect } from 'react';
import { type DownloadState, useDownload } from './downloads.js';
import { downloadsByItself, type FileKind, kindOf } from './kinds.js';
import type { FilesKit } from './kit.js';
import { useProgress } from './progress.js';

/** A file bubble's view. */
export interface FileView {
  readonly file: FileInfo;
  readonly kind: FileKind;
  /** The verified file (or this page's own original). */
  readonly blob: Blob | undefined;
  readonly progress: FileProgressEvent | undefined;
  readonly download: DownloadState;
  /** This device's upload runs (or waits for the connection). */
  readonly uploading: boolean;
  /** The file can be fetched from the server now. */
  readonly fetchable: boolean;
  /** Why the file cannot be opened (an error code), when it cannot. */
  readonly broken: string | undefined;
  /** Fetches the file; resolves with it (undefined when that failed: `download.error` says why). */
  fetch(): Promise<Blob | undefined>;
  cancel(): void;
}

/** The view of file message `m` (which has a file). */
export function useFileView(kit: FilesKit, m: Message & { file: FileInfo }): FileView {
  const { file } = m;
  const kind = kindOf(file.mediaType);
  const progress = useProgress(kit.progress, m.id);
  const download = useDownload(kit.downloads, m.id);
  // `uploading`/`uploaded` are the states of this device's own uploads; other devices see `available`…
  const own = file.state === 'uploading' || file.state === 'uploaded';
  // A failed send of this device (its file `failed` too) is the bubble's "not sent", not a broken file.
  const notSent = m.direction === 'out' && m.status === 'failed';
  const blob = download.blob ?? kit.sender.source(m.id);
  const uploading = file.state === 'uploading' && m.status === 'pending';
  const broken = file.state === 'failed' && !notSent ? (m.error ?? 'FILE_INTEGRITY') : undefined;
  const fetchable =
    blob === undefined &&
    !download.running &&
    broken === undefined &&
    !notSent &&
    (own ? file.state === 'uploaded' : file.state !== 'failed');
  const auto = fetchable && download.error === undefined && downloadsByItself(kind, file.size);

  useEffect(() => {
    if (auto) void kit.downloads.fetch(m.id, file.mediaType, true);
  }, [auto, kit, m.id, file.mediaType]);

  return {
    file,
    kind,
    blob,
    progress,
    download,
    uploading,
    fetchable,
    broken,
    fetch: () => kit.downloads.fetch(m.id, file.mediaType),
    cancel: () => {
      if (uploading) void kit.client.cancelFile(m.id).catch(() => undefined);
      else void kit.downloads.cancel(m.id);
    },
  };
}
