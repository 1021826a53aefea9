/**
 * A group's conversation: the shared conversation view with the group's header (name, members, a way to
 * its members panel), the senders' names, lines for the group's changes, "read by N of M" under our
 * messages, who is typing, and the warnings the SDK reported about the group in plain words. Once this
 * device left or was removed, the history stays readable and the composer says why nothing can be sent.
 */
import type { GroupInfo, Message, SottoClient } from '@sotto/client';
import { useMemo } from 'react';
import { ConversationView, type ListDecor } from '../components/ConversationView.js';
import type { GroupJournal } from '../lib/group-journal.js';
import { describeGroupWarning } from '../lib/group-warnings.js';
import { useGroupJournal } from '../lib/use-group-journal.js';
import { typingText } from '../lib/use-typing.js';
import { membership, noteLines, recipients } from './notes.js';
import { ReceiptLine } from './ReceiptLine.js';

/** Props of {@link GroupConversation}. */
export interface GroupConversationProps {
  readonly client: SottoClient;
  readonly journal: GroupJournal;
  readonly group: GroupInfo;
  /** This account. */
  readonly me: string;
  readonly typing: readonly string[] | undefined;
  readonly online: boolean;
  readonly onBack: () => void;
  /** Opens the members panel. */
  readonly onInfo: () => void;
}

/** "3 members · post-quantum encryption"; for a group this device is no longer in, why. */
export function groupSubtitle(group: GroupInfo): string {
  if (group.status === 'removed') return 'You were removed from this group';
  if (group.status === 'left') return 'You left this group';
  const n = group.members.length;
  return `${n} member${n === 1 ? '' : 's'} · ${group.suite === 'xwing' ? 'post-quantum' : 'classic'} encryption`;
}

/** Why nothing can be sent, for a group this device is no longer in. */
function closedReason(group: GroupInfo, removedBy: string | undefined): string {
  if (group.status === 'left')
    return 'You left this group. Its history stays on this device; you no longer receive its messages and cannot send to it.';
  const by = removedBy === undefined || removedBy === '' ? 'An admin' : removedBy;
  return `${by} removed you from this group. Its history stays on this device; you no longer receive its messages and cannot send to it.`;
}

/** The open group. */
export function GroupConversation(props: GroupConversationProps) {
  const { client, journal, group, me, typing, online, onBack, onInfo } = props;
  const view = useGroupJournal(journal, group.id);
  const active = group.status === 'active';

  const decor = useMemo((): ListDecor => {
    const changes = membership(view.notes);
    const now = group.members.map((m) => m.account);
    return {
      notes: noteLines(view.notes, me),
      extra: (m: Message) => {
        if (m.direction !== 'out' || m.status === 'pending' || m.status === 'failed') return null;
        const receipts = view.receipts.get(m.id);
        // Someone added after the message was sent cannot read it; someone removed since still counts.
        const members = recipients(m.sentAt, now, changes, Object.keys(receipts ?? {}), me);
        return <ReceiptLine members={members} receipts={receipts} />;
      },
    };
  }, [view.notes, view.receipts, group.members, me]);

  const removedBy = [...view.notes].reverse().find((n) => n.kind === 'removed')?.by;
  const header = (
    <header className="pane-header">
      <button type="button" className="back" onClick={onBack} aria-label="Back to contacts">
        ←
      </button>
      <div className="title">
        <h2 data-testid="group-title">{group.name}</h2>
        <p className="sub">{groupSubtitle(group)}</p>
      </div>
      <button type="button" onClick={onInfo}>
        Members
      </button>
    </header>
  );
  const banners = view.warnings.length > 0 && (
    <div role="alert" className="group-warning" data-testid="group-warning">
      {view.warnings.map((w) => (
        <p key={w.code}>
          {describeGroupWarning(w.code)}
          {w.count > 1 ? ` (${w.count} times)` : ''}
        </p>
      ))}
      <button type="button" onClick={() => journal.dismissWarnings(group.id)}>
        Dismiss
      </button>
    </div>
  );
  return (
    <ConversationView
      client={client}
      name={group.id}
      label={group.name}
      header={header}
      banners={banners}
      online={online}
      typing={active ? typingText(typing) : ''}
      canSend={active}
      placeholder={active ? undefined : 'Sending closed'}
      hint={
        !active && (
          <p className="hint closed" role="status" data-testid="group-closed">
            {closedReason(group, removedBy)}
          </p>
        )
      }
      decor={decor}
    />
  );
}
