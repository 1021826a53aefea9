/** A conversation: header, identity banner, messages (live, with receipts), typing and the composer. */
import type { Contact, Message, SottoClient } from '@sotto/client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../lib/errors.js';
import { useClientEvent } from '../lib/use-client-event.js';
import { Composer } from './Composer.js';
import { IdentityBanner } from './IdentityBanner.js';
import { IdentityNotice } from './IdentityNotice.js';
import { MessageBubble } from './MessageBubble.js';
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
  /** Called after messages were marked read (the unread count changes). */
  readonly onRead: (account: string) => void;
  /** True to show that the (unverified) contact's key changed; `onDismissKeyNotice` hides it. */
  readonly keyNotice: boolean;
  readonly onDismissKeyNotice: () => void;
}

/** The open conversation with `contact`. */
export function Conversation(props: ConversationProps) {
  const {
    client,
    contact,
    typing,
    online,
    onBack,
    onVerify,
    onChanged,
    onRead,
    keyNotice,
    onDismissKeyNotice,
  } = props;
  const name = contact.account;
  const [messages, setMessages] = useState<Message[]>([]);
  const [error, setError] = useState('');
  const endRef = useRef<HTMLDivElement>(null);

  // Loads can overlap (events, receipts, marking read); only the latest one's answer is shown.
  const latest = useRef(0);
  const load = useCallback(() => {
    const n = ++latest.current;
    client.history(name, { limit: 200 }).then(
      (list) => {
        if (n === latest.current) setMessages(list);
      },
      (err) => setError(describeError(err)),
    );
  }, [client, name]);
  useEffect(load, [load]);
  useClientEvent(client, 'message', (m) => {
    if (m.conversation === name) load();
  });
  useClientEvent(client, 'receipt', (r) => {
    if (r.conversation === name) load();
  });

  // Read receipts for what is on screen while the page is visible.
  useEffect(() => {
    const unread = messages.filter((m) => m.direction === 'in' && m.status !== 'read').map((m) => m.id);
    if (unread.length === 0 || document.visibilityState !== 'visible') return;
    client.markRead(name, unread).then(
      () => {
        load();
        onRead(name);
      },
      () => undefined,
    );
  }, [client, name, messages, load, onRead]);

  const count = messages.length + (typing ? 1 : 0);
  useEffect(() => {
    if (count > 0) endRef.current?.scrollIntoView({ block: 'end' });
  }, [count]);

  const accepted = contact.state === 'accepted';
  const paused = contact.identityChanged;
  const send = async (text: string): Promise<boolean> => {
    setError('');
    try {
      await client.send(name, text);
      load();
      return true;
    } catch (err) {
      setError(describeError(err));
      load();
      return false;
    }
  };

  return (
    <div className="conversation">
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
        {contact.state !== 'blocked' && (
          <button
            type="button"
            onClick={() => {
              if (window.confirm(`Block ${name}?`))
                client.blockContact(name).then(onChanged, () => undefined);
            }}
          >
            Block
          </button>
        )}
      </header>
      {!online && (
        <p className="connection is-offline" role="status">
          Offline — reconnecting…
        </p>
      )}
      {keyNotice && !paused && (
        <IdentityNotice account={name} onVerify={onVerify} onDismiss={onDismissKeyNotice} />
      )}
      {paused && (
        <IdentityBanner client={client} contact={contact} onVerify={onVerify} onChanged={onChanged} />
      )}
      <ol className="messages" aria-label={`Messages with ${name}`} aria-live="polite">
        {messages.map((m) => (
          <MessageBubble key={m.id} message={m} />
        ))}
      </ol>
      <div className="typing-line" aria-live="polite" data-testid="typing">
        {typing ? `${name} is typing…` : ''}
      </div>
      <div ref={endRef} />
      {error !== '' && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {contact.state === 'outgoing' && <p className="hint">Waiting for {name} to accept your request.</p>}
      <Composer
        client={client}
        to={name}
        disabled={!accepted || paused}
        placeholder={
          paused
            ? 'Sending paused'
            : online
              ? `Message ${name}`
              : 'Offline — messages will fail until reconnected'
        }
        onSend={send}
      />
    </div>
  );
}
