/** One group in the list: name, who is typing or the newest message, unread count; left or removed groups say so. */
import type { GroupInfo, Message } from '@sotto/client';
import { initial } from '../lib/format.js';
import { typingText } from '../lib/use-typing.js';

/** Props of {@link GroupItem}. */
export interface GroupItemProps {
  readonly group: GroupInfo;
  readonly me: string;
  readonly last: Message | undefined;
  readonly unread: number;
  readonly typing: readonly string[] | undefined;
  readonly selected: boolean;
  readonly onOpen: (id: string) => void;
}

/** "You: see you", "bob: photo.jpg". */
export function preview(m: Message | undefined, me: string): string {
  if (m === undefined) return '';
  const who = m.from.account === me ? 'You' : m.from.account;
  const what = m.file === undefined ? m.text : m.text !== '' ? `${m.file.name} · ${m.text}` : m.file.name;
  return `${who}: ${what}`;
}

function subtitle(p: GroupItemProps): string {
  if (p.group.status === 'removed') return 'You were removed';
  if (p.group.status === 'left') return 'You left';
  const n = p.group.members.length;
  return typingText(p.typing) || preview(p.last, p.me) || `${n} member${n === 1 ? '' : 's'}`;
}

/** A button that opens the group's conversation. */
export function GroupItem(props: GroupItemProps) {
  const { group, unread, typing, selected, onOpen } = props;
  const label = `${group.name}${unread > 0 ? `, ${unread} unread` : ''}`;
  const isTyping = typingText(typing) !== '' && group.status === 'active';
  return (
    <li>
      <button
        type="button"
        className={`contact group ${selected ? 'selected' : ''}`}
        aria-current={selected ? 'true' : undefined}
        aria-label={label}
        data-group={group.id}
        data-group-name={group.name}
        onClick={() => onOpen(group.id)}
      >
        <span className="avatar group-avatar" aria-hidden="true">
          {initial(group.name)}
        </span>
        <span className="contact-text">
          <span className="name">{group.name}</span>
          <span className={`sub ${isTyping ? 'typing' : ''}`}>{subtitle(props)}</span>
        </span>
        {unread > 0 && (
          <span className="badge" data-testid={`unread-${group.id}`}>
            {unread}
          </span>
        )}
      </button>
    </li>
  );
}
