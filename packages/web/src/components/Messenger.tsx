/**
 * The signed-in layout: the contact and group lists beside the open pane (one at a time on a narrow
 * window), the log-out and new-group dialogs, and the call screen. The files UI and the group UI load in
 * the background once this shows; the call screen loads only when a call starts or rings.
 */
import type { SottoClient } from '@sotto/client';
import { lazy, Suspense, useEffect, useState } from 'react';
import { FilesContext, useFilesAccess } from '../lib/files-access.js';
import type { GroupJournal } from '../lib/group-journal.js';
import { useCalls } from '../lib/use-calls.js';
import { useContacts } from '../lib/use-contacts.js';
import { useDesktopNotifications } from '../lib/use-desktop-notifications.js';
import { useNoFileNavigation } from '../lib/use-file-drop.js';
import { useGroups } from '../lib/use-groups.js';
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
import { GroupList } from './GroupList.js';
import { LogoutDialog } from './LogoutDialog.js';
import { SettingsPanel } from './SettingsPanel.js';
import { StatusEditor } from './StatusEditor.js';
import { VerificationPanel } from './VerificationPanel.js';

const loadGroupUi = () => import('../groups/index.js');
const GroupConversation = lazy(() => loadGroupUi().then((m) => ({ default: m.GroupConversation })));
const GroupPanel = lazy(() => loadGroupUi().then((m) => ({ default: m.GroupPanel })));
const NewGroupDialog = lazy(() => loadGroupUi().then((m) => ({ default: m.NewGroupDialog })));
/** The call screen and media code: loaded when a call starts or rings, never with the first screen. */
const CallScreen = lazy(() => import('../calls/index.js').then((m) => ({ default: m.CallScreen })));

/** What the main pane shows. */
export type Pane =
  | { readonly kind: 'none'; readonly note?: string }
  | { readonly kind: 'chat'; readonly account: string }
  | { readonly kind: 'verify'; readonly account: string }
  | { readonly kind: 'group'; readonly id: string }
  | { readonly kind: 'group-info'; readonly id: string }
  | { readonly kind: 'devices' }
  | { readonly kind: 'settings' };

/** Props of {@link Messenger}. */
export interface MessengerProps {
  readonly client: SottoClient;
  readonly journal: GroupJournal;
  readonly account: string;
  readonly onLogOut: () => void;
}

const loading = (
  <p className="empty" aria-busy="true">
    Loading…
  </p>
);

/** The messenger. */
export function Messenger({ client, journal, account, onLogOut }: MessengerProps) {
  const [pane, setPane] = useState<Pane>({ kind: 'none' });
  const [loggingOut, setLoggingOut] = useState(false);
  const [newGroup, setNewGroup] = useState(false);
  const { contacts, reload } = useContacts(client);
  const { groups, last } = useGroups(client);
  const accepted = contacts.filter((c) => c.state === 'accepted').map((c) => c.account);
  const unread = useUnread(client, [...accepted, ...groups.map((g) => g.id)]);
  useTabTitle(unread);
  useDesktopNotifications(client, (name) =>
    setPane(name.startsWith('#') ? { kind: 'group', id: name } : { kind: 'chat', account: name }),
  );
  const typing = useTyping(client);
  const online = useOnline(client);
  const keyNotices = useKeyNotices(client);
  const files = useFilesAccess(client);
  const calls = useCalls(client);
  useNoFileNavigation();
  useEffect(() => {
    loadGroupUi().catch(() => undefined); // in the background, so a group opens at once
  }, []);
  const back = () => setPane({ kind: 'none' });
  const selected = pane.kind === 'chat' || pane.kind === 'verify' ? pane.account : undefined;
  const contact = contacts.find((c) => c.account === selected);
  const groupId = pane.kind === 'group' || pane.kind === 'group-info' ? pane.id : undefined;
  const group = groups.find((g) => g.id === groupId);

  return (
    <FilesContext.Provider value={files}>
      <div className={`messenger ${pane.kind === 'none' ? 'show-list' : 'show-pane'}`}>
        <aside className="sidebar" aria-label="Contacts and groups">
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
          <div className="lists">
            <GroupList
              journal={journal}
              me={account}
              groups={groups}
              last={last}
              unread={unread}
              typing={typing}
              selected={groupId}
              onOpen={(id) => setPane({ kind: 'group', id })}
              onNew={() => setNewGroup(true)}
            />
            <ContactList
              client={client}
              contacts={contacts}
              unread={unread}
              typing={typing}
              selected={selected}
              onOpen={(name) => setPane({ kind: 'chat', account: name })}
              onChanged={reload}
            />
          </div>
        </aside>
        <section className="pane" aria-label="Conversation">
          {pane.kind === 'none' && (
            <p className="empty" role={pane.note === undefined ? undefined : 'status'}>
              {pane.note ?? 'Choose a contact or a group to start talking.'}
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
              onCall={
                calls.request === undefined ? (media) => calls.start(contact.account, media) : undefined
              }
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
          {pane.kind === 'group' && group !== undefined && (
            <Suspense fallback={loading}>
              <GroupConversation
                key={group.id}
                client={client}
                journal={journal}
                group={group}
                me={account}
                typing={typing.get(group.id)}
                online={online}
                onBack={back}
                onInfo={() => setPane({ kind: 'group-info', id: group.id })}
              />
            </Suspense>
          )}
          {pane.kind === 'group-info' && group !== undefined && (
            <Suspense fallback={loading}>
              <GroupPanel
                key={group.id}
                client={client}
                group={group}
                me={account}
                contacts={accepted}
                onBack={() => setPane({ kind: 'group', id: group.id })}
              />
            </Suspense>
          )}
          {pane.kind === 'devices' && <DevicesPanel client={client} onBack={back} />}
          {pane.kind === 'settings' && <SettingsPanel client={client} onBack={back} />}
        </section>
        {calls.request !== undefined && (
          <Suspense fallback={null}>
            <CallScreen
              key={calls.request.key}
              client={client}
              request={calls.request}
              onEnded={calls.ended}
              onDone={calls.done}
            />
          </Suspense>
        )}
        {loggingOut && (
          <LogoutDialog client={client} onLoggedOut={onLogOut} onCancel={() => setLoggingOut(false)} />
        )}
        {newGroup && (
          <Suspense fallback={null}>
            <NewGroupDialog
              client={client}
              contacts={accepted}
              onCancel={() => setNewGroup(false)}
              onCreated={(g) => {
                setNewGroup(false);
                setPane({ kind: 'group', id: g.id });
              }}
            />
          </Suspense>
        )}
      </div>
    </FilesContext.Provider>
  );
}
