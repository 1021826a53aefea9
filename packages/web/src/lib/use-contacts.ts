/** The contact list, kept fresh from the SDK's contact, presence and identity events. */
import type { Contact, SottoClient } from '@sotto/client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useClientEvent } from './use-client-event.js';

/** Contacts sorted by name, and a function to reload them. */
export function useContacts(client: SottoClient): { contacts: Contact[]; reload: () => void } {
  const [contacts, setContacts] = useState<Contact[]>([]);
  const latest = useRef(0); // reloads can overlap: only the latest answer is shown
  const reload = useCallback(() => {
    const n = ++latest.current;
    client.listContacts().then(
      (list) => {
        if (n === latest.current) setContacts([...list].sort((a, b) => a.account.localeCompare(b.account)));
      },
      () => undefined,
    );
  }, [client]);
  useEffect(reload, [reload]);
  useClientEvent(client, 'contact-event', reload);
  useClientEvent(client, 'contact-request', reload);
  useClientEvent(client, 'identity-changed', reload);
  useClientEvent(client, 'presence', reload);
  useClientEvent(client, 'connection', (e) => {
    if (e.state === 'online') reload();
  });
  return { contacts, reload };
}
