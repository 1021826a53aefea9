/** Contacts whose (unverified) identity key changed during this session, until dismissed. */
import type { SottoClient } from '@sotto/client';
import { useCallback, useState } from 'react';
import { useClientEvent } from './use-client-event.js';

/** The accounts to show a notice for, and a way to dismiss one. */
export function useKeyNotices(client: SottoClient): {
  notices: ReadonlySet<string>;
  dismiss: (account: string) => void;
} {
  const [notices, setNotices] = useState<ReadonlySet<string>>(new Set());
  useClientEvent(client, 'identity-changed', (e) => {
    // A verified contact's change is pending and shown by the contact's `identityChanged` instead.
    if (!e.verified) setNotices((prev) => new Set(prev).add(e.account));
  });
  const dismiss = useCallback((account: string) => {
    setNotices((prev) => {
      const next = new Set(prev);
      next.delete(account);
      return next;
    });
  }, []);
  return { notices, dismiss };
}
