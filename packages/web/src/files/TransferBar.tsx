/** A transfer in progress: a bar with bytes done and a cancel button. */
import type { FileProgressEvent } from '@sotto/client';
import { formatBytes } from '../lib/file-size.js';

/** Props of {@link TransferBar}. */
export interface TransferBarProps {
  readonly direction: 'up' | 'down';
  readonly name: string;
  /** The file's size (the total before the first report). */
  readonly size: number;
  readonly progress: FileProgressEvent | undefined;
  /** Shown instead of the bytes (e.g. while waiting for the connection). */
  readonly note?: string | undefined;
  readonly onCancel: () => void;
}

/** The bar. */
export function TransferBar({ direction, name, size, progress, note, onCancel }: TransferBarProps) {
  const verb = direction === 'up' ? 'Uploading' : 'Downloading';
  const bytes = progress?.direction === direction ? progress.bytes : 0;
  const total = progress?.direction === direction ? progress.total : size;
  return (
    <div className="transfer" data-direction={direction}>
      <progress max={Math.max(total, 1)} value={bytes} aria-label={`${verb} ${name}`} />
      <span className="transfer-text">{note ?? `${formatBytes(bytes)} of ${formatBytes(total)}`}</span>
      <button
        type="button"
        className="transfer-cancel"
        onClick={onCancel}
        aria-label={direction === 'up' ? 'Cancel upload' : 'Cancel download'}
        title="Cancel"
      >
        ✕
      </button>
    </div>
  );
}
