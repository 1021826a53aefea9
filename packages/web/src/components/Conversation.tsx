/**
 * A conversation with a contact: header (voice and video call, safety number, block / unblock), identity banners, and the
 * shared conversation view (messages, typing, composer).
 */
import type { Contact, SottoClient } from '@sotto/client';
import { useState } from 'react';
import { describeError } from '../lib/errors.js';
import { ConversationView } from './ConversationView.js';
import { Icon } from './Icon.js';
import { IdentityBanner } from './IdentityBanner.js';
import { IdentityNotice } from './IdentityNotice.js';
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
  /** Starts a call (absent or undefined while calls are not possible: then no buttons show). */
  readonly onCall?: ((media: 'audio' | 'video') => void) | undefined;
}

/** The open conversation with `contact`. */
export function Conversation(props: ConversationProps) {
  const { client, contact, typing, online, onBack, onVerify, onChanged, onUnblocked } = props;
  const { keyNotice, onDismissKeyNotice, onCall } = props;
  const name = contact.account;
  const [error, setError] = useState('');

  const blocked = contact.state === 'blocked';
  const accepted = contact.state === 'accepted';
  const paused = contact.identityChanged;
  const block = () => {
    if (window.confirm(`Block ${name}? Their requests and messages will be refused.`))
      client.blockContact(name).then(onChanged, (err) => setError(describeError(err)));
  };
  const unblock = () => {
    client.unblockContact(name).then(onUnblocked, (err) => setError(describeError(err)));
  };

  const header = (
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
      {onCall !== undefined && accepted && !paused && (
        <>
          <button
            type="button"
            className="call-button"
            aria-label={`Voice call with ${name}`}
            title="Voice call"
            disabled={!online}
            onClick={() => onCall('audio')}
          >
            <Icon name="phone" /> Call
          </button>
          <button
            type="button"
            className="call-button"
            aria-label={`Video call with ${name}`}
            title="Video call"
            disabled={!online}
            onClick={() => onCall('video')}
          >
            <Icon name="video" /> Video
          </button>
        </>
      )}
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
  );
  const banners = (
    <>
      {keyNotice && !paused && (
        <IdentityNotice account={name} onVerify={onVerify} onDismiss={onDismissKeyNotice} />
      )}
      {paused && (
        <IdentityBanner client={client} contact={contact} onVerify={onVerify} onChanged={onChanged} />
      )}
      {blocked && <p className="hint">You blocked {name}: their requests and messages are refused.</p>}
      {error !== '' && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </>
  );
  return (
    <ConversationView
      client={client}
      name={name}
      label={name}
      header={header}
      banners={banners}
      online={online}
      typing={typing ? `${name} is typing…` : ''}
      canSend={accepted && !paused}
      placeholder={paused ? 'Sending paused' : undefined}
      hint={
        contact.state === 'outgoing' && <p className="hint">Waiting for {name} to accept your request.</p>
      }
    />
  );
}
