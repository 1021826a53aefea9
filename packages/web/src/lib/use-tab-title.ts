/** The tab's title shows how many messages are unread: "(3) Sotto", or "Sotto" when none are. */
import { useEffect } from 'react';

/** The base title (index.html's). */
export const TITLE = 'Sotto';

/** Keeps `document.title` in step with the unread counts (by conversation). */
export function useTabTitle(unread: Readonly<Record<string, number>>): void {
  let total = 0;
  for (const n of Object.values(unread)) total += n;
  useEffect(() => {
    document.title = total > 0 ? `(${total}) ${TITLE}` : TITLE;
  }, [total]);
  useEffect(
    () => () => {
      document.title = TITLE;
    },
    [],
  );
}
