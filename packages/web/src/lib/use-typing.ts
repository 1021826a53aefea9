/**
 * Who is typing right now, per conversation: the contact in a 1:1 chat, any members in a group. An
 * indicator expires after a few seconds without news, and ends when that person's message arrives.
 */
import type { SottoClient } from '@sotto/client';
import { useEffect, useRef, useState } from 'react';
import { useClientEvent } from './use-client-event.js';

const EXPIRE_MS = 6_000;

/** Conversation (account, or group `#<hex>`) → the accounts typing there, in the order they started. */
export type Typing = ReadonlyMap<string, readonly string[]>;

function withTyper(prev: Typing, conversation: string, account: string, on: boolean): Typing {
  const now = prev.get(conversation) ?? [];
  if (now.includes(account) === on) return prev;
  const next = new Map(prev);
  const list = on ? [...now, account] : now.filter((a) => a !== account);
  if (list.length === 0) next.delete(conversation);
  else next.set(conversation, list);
  return next;
}

/** "bob is typing…", "bob and carol are typing…", "3 people are typing…"; empty when nobody is. */
export function typingText(typers: readonly string[] | undefined): string {
  if (typers === undefined || typers.length === 0) return '';
  if (typers.length === 1) return `${typers[0]} is typing…`;
  if (typers.length === 2) return `${typers[0]} and ${typers[1]} are typing…`;
  return `${typers.length} people are typing…`;
}

/** Who is typing to us, by conversation. */
export function useTyping(client: SottoClient): Typing {
  const [typing, setTyping] = useState<Typing>(new Map());
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const set = (conversation: string, account: string, on: boolean) => {
    const key = `${conversation}\u0000${account}`;
    const old = timers.current.get(key);
    if (old !== undefined) clearTimeout(old);
    timers.current.delete(key);
    if (on)
      timers.current.set(
        key,
        setTimeout(() => set(conversation, account, false), EXPIRE_MS),
      );
    setTyping((prev) => withTyper(prev, conversation, account, on));
  };
  useClientEvent(client, 'typing', (e) => set(e.conversation, e.account, e.typing));
  useClientEvent(client, 'message', (m) => {
    if (m.direction === 'in') set(m.conversation, m.from.account, false);
  });
  useEffect(() => {
    const all = timers.current;
    return () => {
      for (const t of all.values()) clearTimeout(t);
    };
  }, []);
  return typing;
}
