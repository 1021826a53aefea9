/** A component's view of one group's journal (lines, receipts, warnings), re-rendered when it changes. */
import { useCallback, useSyncExternalStore } from 'react';
import type { GroupJournal, GroupJournalView } from './group-journal.js';

/** The journal's view of `group`. */
export function useGroupJournal(journal: GroupJournal, group: string): GroupJournalView {
  const subscribe = useCallback(
    (notify: () => void) =>
      journal.subscribe((g) => {
        if (g === group) notify();
      }),
    [journal, group],
  );
  const read = useCallback(() => journal.view(group), [journal, group]);
  return useSyncExternalStore(subscribe, read);
}
