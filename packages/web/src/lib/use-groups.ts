/**
 * The groups this device knows, with each group's newest message for the list, kept fresh from the SDK's
 * group and message events.
 */
import type { GroupInfo, Message, SottoClient } from '@sotto/client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { compareMessages } from './message-window.js';
import { useClientEvent } from './use-client-event.js';

/** What {@link useGroups} gives. */
export interface Groups {
  /** Active groups first, then those left or removed from (as the SDK lists them). */
  readonly groups: readonly GroupInfo[];
  /** Group id → its newest message, once read. */
  readonly last: ReadonlyMap<string, Message>;
  readonly reload: () => void;
}

const isGroup = (conversation: string) => conversation.startsWith('#');

/** The groups of `client`. */
export function useGroups(client: SottoClient): Groups {
  const [groups, setGroups] = useState<readonly GroupInfo[]>([]);
  const [last, setLast] = useState<ReadonlyMap<string, Message>>(new Map());
  const latest = useRef(0); // reloads can overlap: only the latest answer is shown
  const asked = useRef(new Set<string>());

  const newest = useCallback((m: Message) => {
    setLast((prev) => {
      const now = prev.get(m.conversation);
      if (now !== undefined && now.id !== m.id && compareMessages(now, m) > 0) return prev;
      return new Map(prev).set(m.conversation, m);
    });
  }, []);

  const reload = useCallback(() => {
    const n = ++latest.current;
    client.listGroups().then(
      (list) => {
        if (n !== latest.current) return;
        setGroups(list);
        for (const g of list) {
          if (asked.current.has(g.id)) continue;
          asked.current.add(g.id);
          client.history(g.id, { limit: 1 }).then(
            (page) => {
              const m = page[page.length - 1];
              if (m !== undefined) newest(m);
            },
            () => asked.current.delete(g.id),
          );
        }
      },
      () => undefined,
    );
  }, [client, newest]);

  useEffect(reload, [reload]);
  useClientEvent(client, 'group', reload);
  useClientEvent(client, 'connection', (e) => {
    if (e.state === 'online') reload();
  });
  const follow = (m: Message) => {
    if (isGroup(m.conversation)) newest(m);
  };
  useClientEvent(client, 'message', follow);
  useClientEvent(client, 'message-updated', follow);
  return { groups, last, reload };
}
