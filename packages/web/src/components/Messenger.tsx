/**
 * The signed-in layout: the contact list beside the open pane (one at a time on a narrow window), and the
 * log-out dialog. The files UI loads in the background once this shows.
 */
import type { SottoClient } from '@sotto/client';
import { useState } from 'react';
import { FilesContext, useFilesAccess } from '../lib/files-access.js';
import { useContacts } from '../lib/use-contacts.js';
import { useDesktopNotifications } from '../lib/use-desktop-notifications.js';
import { useNoFileNavigation } from '../lib/use-file-drop.js';
import { useKeyNotices } from '../lib/use-key-notices.js';
import { useOnline } from '../lib/use-online.js';
import { useTabTitle } from '../lib/use-tab-title.js';
import { useTyping } from '../lib/use-typing.js';
import { useUnread } from '../lib/use-unread.js';
import { AddContactForm } from './AddContactForm.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { ContactList } from './ContactList.js';
import { Conversation } from './Conversation.js';
import { DevicesPanel } from './DevicesPanel.js';
import { LogoutDialog } from './LogoutDialog.js';
import { SettingsPanel } from './SettingsPanel.js';
import { StatusEditor } from './StatusEditor.js';
import { VerificationPanel } from './VerificationPanel.js';

/** What the main pane shows. */
export type Pane =
  | { readonly kind: 'none'; readonly note?: string }
  | { readonly kind: 'chat'; readonly account: string }
  | { readonly kind: 'verify'; readonly account: string }
  | { readonly kind: 'devices' }
  | { readonly kind: 'settings' };

/** Props of {@link Messenger}. */
export interface MessengerProps {
  readonly client: SottoClient;
  readonly account: string;
  readonly onLogOut: () => void;
}

/** The messenger. */
export function Messenger({ client, account, onLogOut }: MessengerProps) {
  const [pane, setPane] = useState<Pane>({ kind: 'none' });
  const [loggingOut, setLoggingOut] = useState(false);
  const { contacts, reload } = useContacts(client);
  const unread = useUnread(client, contacts);
  useTabTitle(unread);
  useDesktopNotifications(client, (name) => setPane({ kind: 'chat', account: name }));
  const typing = useTyping(client);
  const online = useOnline(client);
  const keyNotices = useKeyNotices(client);
  const files = useFilesAccess(client);
  useNoFileNavigation();
  const back = () => setPane({ kind: 'none' });
  const selected = pane.kind === 'chat' || pane.kind === 'verify' ? pane.account : undefined;
  const contact = contacts.find((c) => c.account === selected);

  return (
    <FilesContext.Provider value={files}>
      <div className={`messenger ${pane.kind === 'none' ? 'show-list' : 'show-pane'}`}>
        <aside className="sidebar" aria-label="Contacts">
          <header className="me">
            <div className="me-row">
              <strong data-testid="me">{account}</strong>
              <nav className="me-actions" aria-label="Account">
                <button type="button" onClick={() => setPane({ kind: 'devices' })}>
                  Devices
                </button>
                <button type="button" onClick={() => setPane({ kind: 'settings' })}>
                  Settings
                </button>
                <button type="button" onClick={() => setLoggingOut(true)}>
                  Log out
                </button>
              </nav>
            </div>
            <StatusEditor client={client} />
          </header>
          <ConnectionBanner online={online} />
          <AddContactForm client={client} onDone={reload} />
          <ContactList
            client={client}
            contacts={contacts}
            unread={unread}
            typing={typing}
            selected={selected}
            onOpen={(name) => setPane({ kind: 'chat', account: name })}
            onChanged={reload}
          />
        </aside>
        <section className="pane" aria-label="Conversation">
          {pane.kind === 'none' && (
            <p className="empty" role={pane.note === undefined ? undefined : 'status'}>
              {pane.note ?? 'Choose a contact to start talking.'}
            </p>
          )}
          {pane.kind === 'chat' && contact !== undefined && (
            <Conversation
              key={contact.account}
              client={client}
              contact={contact}
              typing={typing.has(contact.account)}
              online={online}
              onBack={back}
              onVerify={() => setPane({ kind: 'verify', account: contact.account })}
              onChanged={reload}
              onUnblocked={() => {
                setPane({ kind: 'none', note: `You unblocked ${contact.account}. Add them again to talk.` });
                reload();
              }}
              keyNotice={keyNotices.notices.has(contact.account)}
              onDismissKeyNotice={() => keyNotices.dismiss(contact.account)}
            />
          )}
          {pane.kind === 'verify' && contact !== undefined && (
            <VerificationPanel
              client={client}
              contact={contact}
              onBack={() => setPane({ kind: 'chat', account: contact.account })}
              onChanged={reload}
            />
          )}
          {pane.kind === 'devices' && <DevicesPanel client={client} onBack={back} />}
          {pane.kind === 'settings' && <SettingsPanel client={client} onBack={back} />}
        </section>
        {loggingOut && (
          <LogoutDialog client={client} onLoggedOut={onLogOut} onCancel={() => setLoggingOut(false)} />
        )}
      </div>
    </FilesContext.Provider>
  );
}
