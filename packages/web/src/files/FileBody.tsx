/**
 * The file part of a message bubble: an image (thumbnail at once, the verified image when it is here, a
 * viewer), a player for audio and video once verified, or a file card; with the transfer's progress and
 * cancel, and what went wrong. Nothing of the file itself is shown before the SDK verified it (the
 * thumbnail came inside the end-to-end encrypted message).
 */
import type { FileInfo, Message } from '@sotto/client';
import { describeCode } from '../lib/errors.js';
import { useOnline } from '../lib/use-online.js';
import { FileCard } from './FileCard.js';
import { ImageFile } from './ImageFile.js';
import type { FilesKit } from './kit.js';
import { MediaFile } from './MediaFile.js';
import { saveBlob } from './save.js';
import { TransferBar } from './TransferBar.js';
import { type FileView, useFileView } from './use-file-view.js';

/** Props of {@link FileBody}. */
export interface FileBodyProps {
  readonly kit: FilesKit;
  readonly message: Message & { file: FileInfo };
}

const BROKEN: Readonly<Record<string, string>> = {
  FILE_INTEGRITY:
    'This file failed its integrity check: it is not the file that was sent, so it cannot be opened.',
  FILE_NOT_FOUND: 'This file is no longer on the server.',
};

/** Fetches the file, then saves it (a person asked for it). */
async function fetchAndSave(view: FileView): Promise<void> {
  const blob = view.blob ?? (await view.fetch());
  if (blob !== undefined) saveBlob(blob, view.file.name);
}

/** The file of one message. */
export function FileBody({ kit, message }: FileBodyProps) {
  const view = useFileView(kit, message);
  const online = useOnline(kit.client);
  const { file, kind, progress, download, uploading, broken } = view;
  const save = () => void fetchAndSave(view);
  return (
    <div className={`file file-${kind}`} data-file-state={file.state} data-verified={view.blob !== undefined}>
      {kind === 'image' ? (
        <ImageFile view={view} onSave={save} />
      ) : kind === 'audio' || kind === 'video' ? (
        <MediaFile view={view} onSave={save} />
      ) : (
        <FileCard view={view} onSave={save} />
      )}
      {uploading && (
        <TransferBar
          direction="up"
          name={file.name}
          size={file.size}
          progress={progress}
          note={online ? undefined : 'Waiting for the connection…'}
          onCancel={view.cancel}
        />
      )}
      {download.running && (
        <TransferBar
          direction="down"
          name={file.name}
          size={file.size}
          progress={progress}
          onCancel={view.cancel}
        />
      )}
      {broken !== undefined && (
        <p className="file-error" data-testid="file-error">
          ⚠ {BROKEN[broken] ?? describeCode(broken)}
        </p>
      )}
      {broken === undefined && download.error !== undefined && !download.running && (
        <p className="file-error">Download failed: {describeCode(download.error)}</p>
      )}
    </div>
  );
}
