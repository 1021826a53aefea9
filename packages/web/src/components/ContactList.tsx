/** The contact list: pending requests first, then conversations. */
import type { Contact, SottoClient } from '@sotto/client';
import type { Typing } from '../lib/use-typing.js';
import { ContactItem } from './ContactItem.js';
import { ContactRequest } from './ContactRequest.js';

/** Props of {@link ContactList}. */
export interface ContactListProps {
  readonly client: SottoClient;
  readonly contacts: readonly Contact[];
  readonly unread: Readonly<Record<string, number>>;
  readonly typing: Typing;
  readonly selected: string | undefined;
  readonly onOpen: (account: string) => void;
  readonly onChanged: () => void;
}

/** Requests, then accepted, outgoing and blocked contacts. */
export function ContactList(props: ContactListProps) {
  const { client, contacts, unread, typing, selected, onOpen, onChanged } = props;
  const requests = contacts.filter((c) => c.state === 'incoming');
  const others = contacts.filter((c) => c.state !== 'incoming');
  return (
    <div className="contact-list">
      {requests.length > 0 && (
        <section aria-label="Contact requests">
          <h2>Requests</h2>
          <ul>
            {requests.map((c) => (
              <ContactRequest key={c.account} client={client} account={c.account} onChanged={onChanged} />
            ))}
          </ul>
        </section>
      )}
      <section aria-label="Conversations">
        <h2>Contacts</h2>
        {others.length === 0 && <p className="empty">No contacts yet. Add one by name above.</p>}
        <ul>
          {others.map((c) => (
            <ContactItem
              key={c.account}
              contact={c}
              unread={unread[c.account] ?? 0}
              typing={typing.has(c.account)}
              selected={selected === c.account}
              onOpen={onOpen}
            />
          ))}
        </ul>
      </section>
    </div>
  );
}
