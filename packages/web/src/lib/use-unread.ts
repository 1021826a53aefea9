/** Unread counts per conversation: incoming messages not yet marked read on this device. */
import type { Contact, SottoClient } from '@sotto/client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useClientEvent } from './use-client-event.js';

/** Unread counts by account, and a function to recount one conversation (after marking it read). */
export interface Unread {
  readonly counts: Readonly<Record<string, number>>;
  readonly recount: (account: string) => void;
}

/** Counts for the accepted contacts; recounted on messages and receipts, and on request. */
export function useUnread(client: SottoClient, contacts: readonly Contact[]): Unread {
  const [unread, setUnread] = useState<Record<string, number>>({});
  const names = contacts
    .filter((c) => c.state === 'accepted')
    .map((c) => c.account)
    .join(',');

  // Counts can overlap; only the latest one per conversation is kept.
  const latest = useRef(new Map<string, number>());
  const count = useCallback(
    async (name: string) => {
      const seq = (latest.current.get(name) ?? 0) + 1;
      latest.current.set(name, seq);
      const history = await client.history(name, { limit: 100 });
      if (latest.current.get(name) !== seq) return;
      const n = history.filter((m) => m.direction === 'in' && m.status !== 'read').length;
      setUnread((u) => (u[name] === n ? u : { ...u, [name]: n }));
    },
    [client],
  );

  useEffect(() => {
    for (const name of names.split(',')) if (name !== '') count(name).catch(() => undefined);
  }, [names, count]);
  useClientEvent(client, 'message', (m) => {
    count(m.conversation).catch(() => undefined);
  });
  useClientEvent(client, 'receipt', (r) => {
    count(r.conversation).catch(() => undefined);
  });
  const recount = useCallback(
    (name: string) => {
      count(name).catch(() => undefined);
    },
    [count],
  );
  return { counts: unread, recount };
}
