/**
 * What every conversation shares, with a contact or a group: the message list (paged, live, with
 * receipts, pending and failed messages), read receipts for what shows, typing, and the composer.
 * Messages written offline are stored pending by the SDK and go out on reconnect; a refused one stays,
 * marked failed, with retry and delete. Files dropped anywhere on the conversation join the composer's
 * attachments. The header, banners and what a group adds to its messages come from the caller.
 */
import { type Message, type SottoClient, SottoError } from '@sotto/client';
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../lib/errors.js';
import { useFiles } from '../lib/files-access.js';
import type { ListNote } from '../lib/list-note.js';
import { useConversation } from '../lib/use-conversation.js';
import { useFileDrop } from '../lib/use-file-drop.js';
import { Composer, type Draft } from './Composer.js';
import { MessageList } from './MessageList.js';

/** What a group adds to the list: senders' names, lines for its changes, receipts under messages. */
export interface ListDecor {
  readonly notes: readonly ListNote[];
  /** What to show under message `m` (e.g. who read it). */
  readonly extra: (m: Message) => ReactNode;
}

/** Props of {@link ConversationView}. */
export interface ConversationViewProps {
  readonly client: SottoClient;
  /** The conversation: an account, or a group `#<hex>`. */
  readonly name: string;
  /** What people call it: the contact's name, the group's name. */
  readonly label: string;
  readonly header: ReactNode;
  /** Shown between the header and the messages. */
  readonly banners?: ReactNode;
  readonly online: boolean;
  /** Who is typing, as a sentence (empty when nobody is). */
  readonly typing: string;
  /** False when nothing can be sent now; `placeholder` then says why in the box. */
  readonly canSend: boolean;
  readonly placeholder?: string | undefined;
  /** Shown just above the composer (e.g. why sending is not possible). */
  readonly hint?: ReactNode;
  readonly decor?: ListDecor | undefined;
}

/** Codes after which the SDK stored nothing (the text goes back to the composer). */
const NOT_STORED = new Set([
  'UNTRUSTED_IDENTITY',
  'INVALID_ARGUMENT',
  'NOT_A_GROUP_MEMBER',
  'GROUP_NOT_FOUND',
]);
/** A draft with nothing left. */
const SENT: Draft = { text: '', files: [] };

/** The messages and the composer of conversation `name`. */
export function ConversationView(props: ConversationViewProps) {
  const { client, name, label, header, banners, online, typing, canSend, placeholder, hint, decor } = props;
  const view = useConversation(client, name);
  const { messages, refreshTail, drop } = view;
  const [error, setError] = useState('');
  /** True after a send the server said reached a busy contact (1:1 only). */
  const [busyNotice, setBusyNotice] = useState(false);

  // Read receipts for incoming messages as they show, while the page is visible (each id asked once).
  const asked = useRef(new Set<string>());
  useEffect(() => {
    if (document.visibilityState !== 'visible') return;
    const unread = messages
      .filter((m) => m.direction === 'in' && m.status !== 'read' && !asked.current.has(m.id))
      .map((m) => m.id);
    if (unread.length === 0) return;
    for (const id of unread) asked.current.add(id);
    client.markRead(name, unread).catch(() => {
      for (const id of unread) asked.current.delete(id);
    });
  }, [client, name, messages]);

  const files = useFiles();
  const [attached, setAttached] = useState<readonly File[]>([]);
  const held = useRef(messages);
  held.current = messages;

  const sendText = async (text: string): Promise<Draft> => {
    try {
      const sent = await client.send(name, text);
      setBusyNotice(sent.recipientBusy === true);
      await refreshTail(); // a message queued offline has no event yet
      return SENT;
    } catch (err) {
      setError(describeError(err));
      return SottoError.is(err) && NOT_STORED.has(err.code) ? { text, files: [] } : SENT;
    }
  };

  const send = async (draft: Draft): Promise<Draft> => {
    setError('');
    if (draft.files.length === 0) return sendText(draft.text);
    try {
      const kit = await files.load();
      const left = await kit.sender.send(name, draft.text, draft.files, () => void refreshTail());
      if (left.error !== undefined) setError(describeError(left.error));
      return { text: left.text, files: left.files };
    } catch (err) {
      setError(describeError(err));
      return draft;
    }
  };

  const retry = useCallback(
    (id: string) => {
      setError('');
      const m = held.current.find((x) => x.id === id);
      const again: Promise<string | undefined> =
        m?.file === undefined
          ? client.resend(id).then(() => undefined)
          : files.load().then((kit) => kit.sender.retry(m, () => void refreshTail()));
      again.then(
        (replaced) => {
          if (replaced !== undefined) drop(replaced);
          return refreshTail();
        },
        (err) => setError(describeError(err)),
      );
    },
    [client, files, refreshTail, drop],
  );
  const remove = useCallback(
    (id: string) => {
      client.deleteMessage(id).then(
        () => {
          drop(id);
          files.kit?.forget(id);
        },
        (err) => setError(describeError(err)),
      );
    },
    [client, files, drop],
  );

  const drag = useFileDrop(canSend, (dropped) => setAttached((now) => [...now, ...dropped]));

  return (
    <div className="conversation" {...drag.handlers}>
      {drag.over && (
        <div className="drop-overlay" aria-hidden="true">
          Drop files to send to {label}
        </div>
      )}
      {header}
      {!online && (
        <p className="connection is-offline" role="status">
          Offline — reconnecting… Messages you write now are sent when the connection is back.
        </p>
      )}
      {banners}
      <MessageList
        name={label}
        messages={messages}
        loaded={view.loaded}
        hasOlder={view.hasOlder}
        onLoadOlder={view.loadOlder}
        onTrim={view.trim}
        onRetry={retry}
        onDelete={remove}
        decor={decor}
      />
      <div className="typing-line" aria-live="polite" data-testid="typing">
        {typing}
      </div>
      {busyNotice && (
        <p role="status" className="hint busy-notice">
          {label} is busy: your message is delivered and waits for them.
        </p>
      )}
      {(error !== '' || view.error !== '') && (
        <p role="alert" className="error">
          {error || view.error}
        </p>
      )}
      {hint}
      <Composer
        client={client}
        to={name}
        label={label}
        disabled={!canSend}
        placeholder={placeholder ?? (online ? `Message ${label}` : 'Offline — sent when reconnected')}
        files={attached}
        onFiles={setAttached}
        onSend={send}
      />
    </div>
  );
}
