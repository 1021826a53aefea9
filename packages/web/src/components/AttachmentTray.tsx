/** The files attached to the message being written, each with a remove button (images as a preview). */
import { formatBytes } from '../lib/file-size.js';
import { useObjectUrl } from '../lib/use-object-url.js';
import { Icon } from './Icon.js';

/** Props of {@link AttachmentTray}. */
export interface AttachmentTrayProps {
  readonly files: readonly File[];
  readonly onRemove: (index: number) => void;
}

/** One attached file. The preview is the person's own file, shown from a `blob:` URL while listed. */
function Attachment({ file, onRemove }: { file: File; onRemove: () => void }) {
  const isImage = /^image\/(jpeg|png|gif|webp|avif|bmp)$/.test(file.type);
  const url = useObjectUrl(isImage ? file : undefined);
  return (
    <li className="attachment">
      {url !== undefined ? (
        <img src={url} alt="" className="attachment-preview" />
      ) : (
        <span className="attachment-preview">
          <Icon name="file" />
        </span>
      )}
      <span className="attachment-name" title={file.name}>
        {file.name}
      </span>
      <span className="attachment-size">{formatBytes(file.size)}</span>
      <button type="button" onClick={onRemove} aria-label={`Remove ${file.name}`}>
        ✕
      </button>
    </li>
  );
}

/** The tray (nothing when no file is attached). */
export function AttachmentTray({ files, onRemove }: AttachmentTrayProps) {
  if (files.length === 0) return null;
  return (
    <ul className="attachments" aria-label="Attached files">
      {files.map((f, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the same file may be attached twice
        <Attachment key={i} file={f} onRemove={() => onRemove(i)} />
      ))}
    </ul>
  );
}
