/**
 * The scrolling list of a conversation. It opens at the newest message; a new message scrolls into view
 * when the reader is at the bottom (or wrote it), and otherwise leaves the reader where they are and shows
 * a "new messages" control that jumps down. A message that grows later (a file's player or image arrives)
 * keeps a reader at the bottom there. Scrolling near the top pages older messages in above, with the
 * messages on screen kept exactly where they were. While the reader is at the bottom only the newest
 * {@link MAX_HELD} messages stay in the page.
 */
import type { Message } from '@sotto/client';
import { type ReactNode, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ListNote } from '../lib/list-note.js';
import type { ListDecor } from './ConversationView.js';
import { MessageBubble } from './MessageBubble.js';

/** Most messages kept rendered while the reader is at the bottom. */
export const MAX_HELD = 200;
/** How close to the bottom (px) still counts as "at the bottom". */
const BOTTOM_SLACK = 48;
/** How close to the top (px) starts reading the previous page. */
const TOP_PREFETCH = 600;

/** Props of {@link MessageList}. */
export interface MessageListProps {
  readonly name: string;
  readonly messages: readonly Message[];
  readonly loaded: boolean;
  readonly hasOlder: boolean;
  readonly onLoadOlder: () => Promise<void>;
  readonly onTrim: (max: number) => void;
  readonly onRetry: (id: string) => void;
  readonly onDelete: (id: string) => void;
  /** For a group: senders' names, its lines and what shows under messages. */
  readonly decor?: ListDecor | undefined;
}

/**
 * The messages with the notes among them by time; a note older than the oldest message held is left out
 * while older messages can still page in (it shows when they do).
 */
function rows(
  messages: readonly Message[],
  decor: ListDecor | undefined,
  hasOlder: boolean,
  bubble: (m: Message) => ReactNode,
): ReactNode[] {
  if (decor === undefined || decor.notes.length === 0) return messages.map(bubble);
  const first = messages[0];
  const notes = decor.notes.filter((n) => !hasOlder || first === undefined || n.at >= first.sentAt);
  const out: ReactNode[] = [];
  let i = 0;
  const line = (n: ListNote) => (
    <li key={`note-${n.key}`} className="note-line" data-note={n.key}>
      {n.text}
    </li>
  );
  for (const m of messages) {
    for (; i < notes.length && (notes[i]?.at ?? 0) < m.sentAt; i++) {
      const n = notes[i];
      if (n !== undefined) out.push(line(n));
    }
    out.push(bubble(m));
  }
  for (; i < notes.length; i++) {
    const n = notes[i];
    if (n !== undefined) out.push(line(n));
  }
  return out;
}

/** Where the list was after the last commit. */
interface Mark {
  first?: string | undefined;
  last?: string | undefined;
  /** The first message's offset from the top of the content, to keep it in place when a page lands. */
  firstTop: number;
  scrollTop: number;
}

function itemOf(list: HTMLElement, id: string | undefined): HTMLElement | null {
  return id === undefined ? null : list.querySelector<HTMLElement>(`li[data-id="${id}"]`);
}

/** The list and its "new messages" control. */
export function MessageList(props: MessageListProps) {
  const { name, messages, loaded, hasOlder, onLoadOlder, onTrim, onRetry, onDelete, decor } = props;
  const ref = useRef<HTMLOListElement>(null);
  const atBottom = useRef(true);
  const opened = useRef(false);
  const mark = useRef<Mark>({ firstTop: 0, scrollTop: 0 });
  const [unseen, setUnseen] = useState(0);
  const resized = useRef<ResizeObserver | undefined>(undefined);
  const watched = useRef(new Set<Element>());

  /** Observes the sizes of the messages in the page now (and no longer those gone). */
  const watchSizes = useCallback(() => {
    const el = ref.current;
    const observer = resized.current;
    if (el === null || observer === undefined) return;
    const now = new Set(el.children);
    for (const li of watched.current) if (!now.has(li)) observer.unobserve(li);
    for (const li of now) if (!watched.current.has(li)) observer.observe(li);
    watched.current = now;
  }, []);

  const toBottom = useCallback(() => {
    const el = ref.current;
    if (el === null) return;
    el.scrollTop = el.scrollHeight;
    atBottom.current = true;
    setUnseen(0);
  }, []);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el === null) return;
    const prev = mark.current;
    const first = messages[0]?.id;
    const last = messages[messages.length - 1]?.id;
    if (!opened.current) {
      if (loaded) {
        opened.current = true;
        toBottom();
      }
    } else if (last !== prev.last) {
      const newest = messages[messages.length - 1];
      const before = messages.findIndex((m) => m.id === prev.last);
      if (atBottom.current || newest?.direction === 'out') toBottom();
      else setUnseen((n) => n + (before < 0 ? 1 : messages.length - 1 - before));
    }
    if (opened.current && first !== prev.first) {
      // A page landed above (or the top was trimmed): keep the previous first message where it was.
      const anchor = itemOf(el, prev.first);
      if (atBottom.current) toBottom();
      else if (anchor !== null) el.scrollTop = prev.scrollTop + (anchor.offsetTop - prev.firstTop);
    }
    watchSizes();
    mark.current = { first, last, firstTop: itemOf(el, first)?.offsetTop ?? 0, scrollTop: el.scrollTop };
    if (atBottom.current && messages.length > MAX_HELD) onTrim(MAX_HELD);
  }, [messages, loaded, toBottom, onTrim, watchSizes]);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el === null || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (atBottom.current && opened.current) el.scrollTop = el.scrollHeight;
    });
    resized.current = observer;
    watched.current = new Set();
    watchSizes();
    return () => observer.disconnect();
  }, [watchSizes]);

  // A first page shorter than the window cannot be scrolled: read older ones until it can.
  // biome-ignore lint/correctness/useExhaustiveDependencies: measured again after every page that lands
  useEffect(() => {
    const el = ref.current;
    if (el !== null && loaded && hasOlder && el.scrollHeight <= el.clientHeight) void onLoadOlder();
  }, [loaded, hasOlder, messages, onLoadOlder]);

  const onScroll = () => {
    const el = ref.current;
    if (el === null) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight <= BOTTOM_SLACK;
    mark.current.scrollTop = el.scrollTop;
    if (atBottom.current && unseen > 0) setUnseen(0);
    if (el.scrollTop < TOP_PREFETCH && hasOlder) void onLoadOlder();
  };

  return (
    <div className="messages-wrap">
      <ol
        ref={ref}
        className="messages"
        aria-label={`Messages with ${name}`}
        aria-live="polite"
        aria-busy={!loaded}
        onScroll={onScroll}
      >
        {rows(messages, decor, hasOlder, (m) => (
          <MessageBubble
            key={m.id}
            message={m}
            onRetry={onRetry}
            onDelete={onDelete}
            sender={decor !== undefined && m.direction === 'in' ? m.from.account : undefined}
            extra={decor?.extra(m)}
          />
        ))}
      </ol>
      {unseen > 0 && (
        <button type="button" className="jump" onClick={toBottom}>
          ↓ {unseen} new message{unseen === 1 ? '' : 's'}
        </button>
      )}
    </div>
  );
}
