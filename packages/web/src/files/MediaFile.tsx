/** Audio and video: played from the verified file once it is here (voice notes come by themselves). */
import { useObjectUrl } from '../lib/use-object-url.js';
import { FileCard } from './FileCard.js';
import type { FileView } from './use-file-view.js';

/** Props of {@link MediaFile}. */
export interface MediaFileProps {
  readonly view: FileView;
  readonly onSave: () => void;
}

/** The player above the file's card. */
export function MediaFile({ view, onSave }: MediaFileProps) {
  const url = useObjectUrl(view.blob);
  const label = `Play ${view.file.name}`;
  return (
    <>
      {url !== undefined &&
        (view.kind === 'audio' ? (
          // biome-ignore lint/a11y/useMediaCaption: a person's own recording comes without captions
          <audio className="file-player" controls src={url} aria-label={label} />
        ) : (
          // biome-ignore lint/a11y/useMediaCaption: a person's own video comes without captions
          <video className="file-player" controls src={url} aria-label={label} />
        ))}
      <FileCard view={view} onSave={onSave} fetchLabel="Play" onFetch={() => void view.fetch()} />
    </>
  );
}
