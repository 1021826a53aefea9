/**
 * Saving a verified file to the person's disk: a `blob:` URL on a link with the `download` attribute
 * (the browser takes the name as a suggestion and cleans it; it is never used as a path here), revoked
 * once the browser has had time to start the download.
 */

/** How long the URL of a save stays valid. */
export const SAVE_URL_MS = 60_000;

/** Offers `blob` as a download named `name`. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), SAVE_URL_MS);
}
