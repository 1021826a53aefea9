/** Who is typing right now; an indicator expires after a few seconds without news. */
import type { SottoClient } from '@sotto/client';
import { useEffect, useRef, useState } from 'react';
import { useClientEvent } from './use-client-event.js';

const EXPIRE_MS = 6_000;

/** The set of accounts currently typing to us. */
export function useTyping(client: SottoClient): ReadonlySet<string> {
  const [typing, setTyping] = useState<ReadonlySet<string>>(new Set());
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const set = (account: string, on: boolean) =>
    setTyping((prev) => {
      if (prev.has(account) === on) return prev;
      const next = new Set(prev);
      if (on) next.add(account);
      else next.delete(account);
      return next;
    });
  useClientEvent(client, 'typing', (e) => {
    const old = timers.current.get(e.account);
    if (old !== undefined) clearTimeout(old);
    set(e.account, e.typing);
    if (e.typing)
      timers.current.set(
        e.account,
        setTimeout(() => set(e.account, false), EXPIRE_MS),
      );
  });
  useClientEvent(client, 'message', (m) => {
    if (m.direction === 'in') set(m.conversation, false);
  });
  useEffect(() => {
    const all = timers.current;
    return () => {
      for (const t of all.values()) clearTimeout(t);
    };
  }, []);
  return typing;
}
