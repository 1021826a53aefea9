/**
 * Unread counts per conversation: incoming messages not yet marked read on this device. Each conversation's
 * latest page is read once (when the contact or group appears); after that the counts follow the SDK's events (a new
 * incoming message, a message that became read) without reading the history again.
 */
import type { Message, SottoClient } from '@sotto/client';
import { useEffect, useRef, useState } from 'react';
import { useClientEvent } from './use-client-event.js';

/** How many of a conversation's newest messages the first count looks at. */
const FIRST_COUNT = 100;

type Ids = ReadonlyMap<string, ReadonlySet<string>>;

function withId(ids: Ids, conversation: string, id: string, unread: boolean): Ids {
  const set = ids.get(conversation);
  if ((set?.has(id) ?? false) === unread) return ids;
  const next = new Set(set);
  if (unread) next.add(id);
  else next.delete(id);
  return new Map(ids).set(conversation, next);
}

const isUnread = (m: Message) => m.direction === 'in' && m.status !== 'read';

/** Unread counts by conversation for `conversations` (accepted contacts' names and group ids). */
export function useUnread(
  client: SottoClient,
  conversations: readonly string[],
): Readonly<Record<string, number>> {
  const [ids, setIds] = useState<Ids>(new Map());
  const counted = useRef(new Set<string>());
  // Ids seen becoming read, so a first count that answers late cannot bring them back.
  const read = useRef(new Set<string>());
  const names = conversations.join(',');

  useEffect(() => {
    for (const name of names.split(',')) {
      if (name === '' || counted.current.has(name)) continue;
      counted.current.add(name);
      client.history(name, { limit: FIRST_COUNT }).then(
        (page) =>
          setIds((prev) => {
            let next = prev;
            for (const m of page)
              if (isUnread(m) && !read.current.has(m.id)) next = withId(next, name, m.id, true);
            return next;
          }),
        () => counted.current.delete(name),
      );
    }
  }, [client, names]);

  const follow = (m: Message) => {
    if (m.direction !== 'in') return;
    if (!isUnread(m)) {
      if (read.current.size > 10_000) read.current.clear();
      read.current.add(m.id);
    }
    setIds((prev) => withId(prev, m.conversation, m.id, isUnread(m)));
  };
  useClientEvent(client, 'message', follow);
  useClientEvent(client, 'message-updated', follow);

  const counts: Record<string, number> = {};
  for (const [name, set] of ids) if (set.size > 0) counts[name] = set.size;
  return counts;
}
