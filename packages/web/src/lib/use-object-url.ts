/** A `blob:` URL for a Blob while a component shows it, revoked when the blob changes or the component goes. */
import { useEffect, useState } from 'react';

/** The object URL of `blob` (undefined without one, and during the first render). */
export function useObjectUrl(blob: Blob | undefined): string | undefined {
  const [url, setUrl] = useState<{ blob: Blob; url: string }>();
  useEffect(() => {
    if (blob === undefined) return;
    const made = { blob, url: URL.createObjectURL(blob) };
    setUrl(made);
    return () => {
      URL.revokeObjectURL(made.url);
      setUrl((now) => (now === made ? undefined : now));
    };
  }, [blob]);
  return url !== undefined && url.blob === blob ? url.url : undefined;
}
