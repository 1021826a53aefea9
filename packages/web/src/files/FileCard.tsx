/** A file that is not shown inline: icon, name, size and type, with Download (then Save). */
import { Icon } from '../components/Icon.js';
import { formatBytes, formatDuration } from '../lib/file-size.js';
import { iconOf, typeLabel } from './kinds.js';
import type { FileView } from './use-file-view.js';

/** Props of {@link FileCard}. */
export interface FileCardProps {
  readonly view: FileView;
  /** Fetches the file if need be and saves it. */
  readonly onSave: () => void;
  /** Label of the fetch button (default: Download). */
  readonly fetchLabel?: string;
  /** Fetches without saving (for media to play); default: {@link onSave}. */
  readonly onFetch?: () => void;
}

/** The card. */
export function FileCard({ view, onSave, fetchLabel = 'Download', onFetch = onSave }: FileCardProps) {
  const { file, blob, fetchable } = view;
  const details = [
    formatBytes(file.size),
    typeLabel(file.name, file.mediaType),
    ...(file.durationMs === undefined ? [] : [formatDuration(file.durationMs)]),
  ].join(' · ');
  return (
    <div className="file-card">
      <Icon name={iconOf(file.mediaType)} className="file-icon" />
      <span className="file-info">
        <span className="file-name" title={file.name}>
          {file.name}
        </span>
        <span className="file-details">{details}</span>
      </span>
      {blob !== undefined ? (
        <button type="button" onClick={onSave} aria-label={`Save ${file.name}`}>
          Save
        </button>
      ) : (
        fetchable && (
          <button type="button" onClick={onFetch} aria-label={`${fetchLabel} ${file.name}`}>
            {fetchLabel}
          </button>
        )
      )}
    </div>
  );
}
