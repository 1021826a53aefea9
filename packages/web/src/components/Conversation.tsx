/**
 * A conversation: header (block / unblock), identity banner, the message list (paged, live, with
 * receipts, pending and failed messages), typing and the composer. Messages written offline are stored
 * pending by the SDK and go out on reconnect; a refused one stays, marked failed, with retry and delete.
 * Files dropped anywhere on the conversation join the composer's attachments.
 */
import { type Contact, type SottoClient, SottoError } from '@sotto/client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../lib/errors.js';
import { useFiles } from '../lib/files-access.js';
import { useConversation } from '../lib/use-conversation.js';
import { useFileDrop } from '../lib/use-file-drop.js';
import { Composer, type Draft } from './Composer.js';
import { IdentityBanner } from './IdentityBanner.js';
import { IdentityNotice } from './IdentityNotice.js';
import { MessageList } from './MessageList.js';
import { PresenceDot } from './PresenceDot.js';
import { VerifiedMark } from './VerifiedMark.js';

/** Props of {@link Conversation}. */
export interface ConversationProps {
  readonly client: SottoClient;
  readonly contact: Contact;
  readonly typing: boolean;
  readonly online: boolean;
  readonly onBack: () => void;
  readonly onVerify: () => void;
  readonly onChanged: () => void;
  /** Called after unblocking (the relation had ended with the block: the contact leaves the list). */
  readonly onUnblocked: () => void;
  /** True to show that the (unverified) contact's key changed; `onDismissKeyNotice` hides it. */
  readonly keyNotice: boolean;
  readonly onDismissKeyNotice: () => void;
}

/** Codes after which the SDK stored nothing (the text goes back to the composer). */
const NOT_STORED = new Set(['UNTRUSTED_IDENTITY', 'INVALID_ARGUMENT']);
/** A draft with nothing left. */
const SENT: Draft = { text: '', files: [] };

/** The open conversation with `contact`. */
export function Conversation(props: ConversationProps) {
  const { client, contact, typing, online, onBack, onVerify, onChanged, onUnblocked } = props;
  const { keyNotice, onDismissKeyNotice } = props;
  const name = contact.account;
  const view = useConversation(client, name);
  const { messages, refreshTail, drop } = view;
  const [error, setError] = useState('');
  /** True after a send the server said reached `name` while busy. */
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

  const blocked = contact.state === 'blocked';
  const accepted = contact.state === 'accepted';
  const paused = contact.identityChanged;
  const drag = useFileDrop(accepted && !paused, (dropped) => setAttached((now) => [...now, ...dropped]));
  const block = () => {
    if (window.confirm(`Block ${name}? Their requests and messages will be refused.`))
      client.blockContact(name).then(onChanged, (err) => setError(describeError(err)));
  };
  const unblock = () => {
    client.unblockContact(name).then(onUnblocked, (err) => setError(describeError(err)));
  };

  return (
    <div className="conversation" {...drag.handlers}>
      {drag.over && (
        <div className="drop-overlay" aria-hidden="true">
          Drop files to send to {name}
        </div>
      )}
      <header className="pane-header">
        <button type="button" className="back" onClick={onBack} aria-label="Back to contacts">
          ←
        </button>
        <div className="title">
          <h2>
            <PresenceDot state={contact.presence?.state ?? 'offline'} /> {name}
            <VerifiedMark contact={contact} />
          </h2>
          <p className="sub">{contact.presence?.text ?? contact.presence?.state ?? ''}</p>
        </div>
        <button type="button" onClick={onVerify}>
          Safety number
        </button>
        {blocked ? (
          <button type="button" onClick={unblock}>
            Unblock
          </button>
        ) : (
          <button type="button" onClick={block}>
            Block
          </button>
        )}
      </header>
      {!online && (
        <p className="connection is-offline" role="status">
          Offline — reconnecting… Messages you write now are sent when the connection is back.
        </p>
      )}
      {keyNotice && !paused && (
        <IdentityNotice account={name} onVerify={onVerify} onDismiss={onDismissKeyNotice} />
      )}
      {paused && (
        <IdentityBanner client={client} contact={contact} onVerify={onVerify} onChanged={onChanged} />
      )}
      {blocked && <p className="hint">You blocked {name}: their requests and messages are refused.</p>}
      <MessageList
        name={name}
        messages={messages}
        loaded={view.loaded}
        hasOlder={view.hasOlder}
        onLoadOlder={view.loadOlder}
        onTrim={view.trim}
        onRetry={retry}
        onDelete={remove}
      />
      <div className="typing-line" aria-live="polite" data-testid="typing">
        {typing ? `${name} is typing…` : ''}
      </div>
      {busyNotice && (
        <p role="status" className="hint busy-notice">
          {name} is busy: your message is delivered and waits for them.
        </p>
      )}
      {(error !== '' || view.error !== '') && (
        <p role="alert" className="error">
          {error || view.error}
        </p>
      )}
      {contact.state === 'outgoing' && <p className="hint">Waiting for {name} to accept your request.</p>}
      <Composer
        client={client}
        to={name}
        disabled={!accepted || paused}
        placeholder={
          paused ? 'Sending paused' : online ? `Message ${name}` : 'Offline — sent when reconnected'
        }
        files={attached}
        onFiles={setAttached}
        onSend={send}
      />
    </div>
  );
}
