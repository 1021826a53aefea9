/**
 * The messages of one conversation held by the page: the newest page at first, older pages on request
 * (`history` with `beforeId`), and live changes merged from the SDK's events (`message` for new ones,
 * `message-updated` for status changes) without reading the history again. So what a new message costs
 * does not depend on how long the conversation is.
 */
import type { Message, SottoClient } from '@sotto/client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from './errors.js';
import { mergeMessages, withinWindow } from './message-window.js';
import { useClientEvent } from './use-client-event.js';

/** Messages read per page. */
export const PAGE = 50;
/** The newest messages re-read after a send that may have been queued without an event. */
const TAIL = 10;

/** What {@link useConversation} gives. */
export interface ConversationWindow {
  /** The held messages, oldest first. */
  readonly messages: readonly Message[];
  /** True once the first page arrived. */
  readonly loaded: boolean;
  /** True when older messages exist than the first one held. */
  readonly hasOlder: boolean;
  readonly error: string;
  /** Reads the page before the oldest held message (once at a time); resolves when it is merged. */
  readonly loadOlder: () => Promise<void>;
  /** Re-reads the newest few messages (after a send). */
  readonly refreshTail: () => Promise<void>;
  /** Drops a message from the page (after deleting it). */
  readonly drop: (id: string) => void;
  /** Keeps only the newest `max` messages (older ones page in again on request). */
  readonly trim: (max: number) => void;
}

interface State {
  readonly messages: readonly Message[];
  readonly hasOlder: boolean;
  readonly loaded: boolean;
}

/** The conversation with `name`. */
export function useConversation(client: SottoClient, name: string): ConversationWindow {
  const [state, setState] = useState<State>({ messages: [], hasOlder: false, loaded: false });
  const [error, setError] = useState('');
  const older = useRef<Promise<void> | undefined>(undefined);
  const current = useRef(state);
  current.current = state;

  const merge = useCallback((incoming: readonly Message[], patch: Partial<State> = {}) => {
    setState((s) => {
      const messages = mergeMessages(s.messages, incoming);
      return messages === s.messages && Object.keys(patch).length === 0 ? s : { ...s, ...patch, messages };
    });
  }, []);

  useEffect(() => {
    client.history(name, { limit: PAGE }).then(
      (page) => merge(page, { loaded: true, hasOlder: page.length === PAGE }),
      (err) => setError(describeError(err)),
    );
  }, [client, name, merge]);

  // A message not held is added only where the held run reaches (it is the newest end); one older than
  // the run pages in with its page.
  const live = (m: Message) => {
    if (m.conversation !== name) return;
    const s = current.current;
    if (!s.hasOlder || withinWindow(m, s.messages[0]) || s.messages.some((x) => x.id === m.id)) merge([m]);
  };
  useClientEvent(client, 'message', live);
  useClientEvent(client, 'message-updated', live);

  const loadOlder = useCallback((): Promise<void> => {
    const s = current.current;
    const oldest = s.messages[0];
    if (!s.hasOlder || oldest === undefined) return Promise.resolve();
    older.current ??= client
      .history(name, { limit: PAGE, beforeId: oldest.id })
      .then(
        (page) => merge(page, { hasOlder: page.length === PAGE }),
        (err) => setError(describeError(err)),
      )
      .finally(() => {
        older.current = undefined;
      });
    return older.current;
  }, [client, name, merge]);

  const refreshTail = useCallback(
    () =>
      client.history(name, { limit: TAIL }).then(
        (page) => merge(page),
        () => undefined,
      ),
    [client, name, merge],
  );

  const drop = useCallback((id: string) => {
    setState((s) => ({ ...s, messages: s.messages.filter((m) => m.id !== id) }));
  }, []);

  const trim = useCallback((max: number) => {
    setState((s) =>
      s.messages.length <= max ? s : { ...s, messages: s.messages.slice(-max), hasOlder: true },
    );
  }, []);

  return { ...state, error, loadOlder, refreshTail, drop, trim };
}
