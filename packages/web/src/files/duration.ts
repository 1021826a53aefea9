/**
 * The length of an audio or video file about to be sent (voice notes show it before they are
 * downloaded): the browser reads the file's metadata from a `blob:` URL of the local file, revoked at
 * once. Undefined when it cannot tell within {@link PROBE_MS}.
 */

/** How long the metadata may take. */
export const PROBE_MS = 3_000;

/** The duration of media file `file` in whole milliseconds, or undefined. */
export function mediaDuration(file: Blob, kind: 'audio' | 'video'): Promise<number | undefined> {
  const el = document.createElement(kind);
  el.preload = 'metadata';
  el.muted = true;
  const url = URL.createObjectURL(file);
  return new Promise<number | undefined>((resolve) => {
    const done = (ms: number | undefined) => {
      clearTimeout(timer);
      el.removeAttribute('src');
      el.load();
      URL.revokeObjectURL(url);
      resolve(ms);
    };
    const timer = setTimeout(() => done(undefined), PROBE_MS);
    el.onloadedmetadata = () =>
      done(Number.isFinite(el.duration) && el.duration >= 0 ? Math.round(el.duration * 1000) : undefined);
    el.onerror = () => done(undefined);
    el.src = url;
  });
}
