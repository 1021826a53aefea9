/** One contact in the list: presence dot, name, status text or state, typing, unread count. */
import type { Contact } from '@sotto/client';
import { initial } from '../lib/format.js';
import { PresenceDot } from './PresenceDot.js';
import { VerifiedMark } from './VerifiedMark.js';

/** Props of {@link ContactItem}. */
export interface ContactItemProps {
  readonly contact: Contact;
  readonly unread: number;
  readonly typing: boolean;
  readonly selected: boolean;
  readonly onOpen: (account: string) => void;
}

function subtitle(c: Contact, typing: boolean): string {
  if (c.state === 'outgoing') return 'Request sent';
  if (c.state === 'blocked') return 'Blocked';
  if (typing) return 'typing…';
  if (c.identityChanged) return 'Safety number changed';
  return c.presence?.text ?? c.presence?.state ?? '';
}

/** A button that opens the conversation. */
export function ContactItem({ contact, unread, typing, selected, onOpen }: ContactItemProps) {
  const label = `${contact.account}${unread > 0 ? `, ${unread} unread` : ''}`;
  return (
    <li>
      <button
        type="button"
        className={`contact ${selected ? 'selected' : ''}`}
        aria-current={selected ? 'true' : undefined}
        aria-label={label}
        data-contact={contact.account}
        onClick={() => onOpen(contact.account)}
      >
        <span className="avatar" aria-hidden="true">
          {initial(contact.account)}
          <PresenceDot state={contact.presence?.state ?? 'offline'} />
        </span>
        <span className="contact-text">
          <span className="name">
            {contact.account}
            <VerifiedMark contact={contact} />
          </span>
          <span className={`sub ${typing ? 'typing' : ''}`}>{subtitle(contact, typing)}</span>
        </span>
        {unread > 0 && (
          <span className="badge" data-testid={`unread-${contact.account}`}>
            {unread}
          </span>
        )}
      </button>
    </li>
  );
}
