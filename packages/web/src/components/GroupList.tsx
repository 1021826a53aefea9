/**
 * The groups section of the sidebar: a "New group" button, the groups, and warnings the SDK reported
 * without saying which group they concern.
 */
import type { GroupInfo, Message } from '@sotto/client';
import { ANY_GROUP, type GroupJournal } from '../lib/group-journal.js';
import { describeGroupWarning } from '../lib/group-warnings.js';
import { useGroupJournal } from '../lib/use-group-journal.js';
import type { Typing } from '../lib/use-typing.js';
import { GroupItem } from './GroupItem.js';

/** Props of {@link GroupList}. */
export interface GroupListProps {
  readonly journal: GroupJournal;
  readonly me: string;
  readonly groups: readonly GroupInfo[];
  readonly last: ReadonlyMap<string, Message>;
  readonly unread: Readonly<Record<string, number>>;
  readonly typing: Typing;
  readonly selected: string | undefined;
  readonly onOpen: (id: string) => void;
  readonly onNew: () => void;
}

/** The list of groups. */
export function GroupList(props: GroupListProps) {
  const { journal, me, groups, last, unread, typing, selected, onOpen, onNew } = props;
  const { warnings } = useGroupJournal(journal, ANY_GROUP);
  return (
    <section aria-labelledby="groups-title" className="group-list">
      <div className="section-head">
        <h2 id="groups-title">Groups</h2>
        <button type="button" onClick={onNew}>
          New group
        </button>
      </div>
      {warnings.map((w) => (
        <div key={w.code} role="alert" className="group-warning">
          <p>In one of your groups: {describeGroupWarning(w.code)}</p>
          <button type="button" onClick={() => journal.dismissWarnings(ANY_GROUP)}>
            Dismiss
          </button>
        </div>
      ))}
      {groups.length === 0 && <p className="empty">No groups yet.</p>}
      <ul>
        {groups.map((g) => (
          <GroupItem
            key={g.id}
            group={g}
            me={me}
            last={last.get(g.id)}
            unread={unread[g.id] ?? 0}
            typing={typing.get(g.id)}
            selected={selected === g.id}
            onOpen={onOpen}
          />
        ))}
      </ul>
    </section>
  );
}
