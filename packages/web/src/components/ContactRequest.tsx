/** An incoming contact request: accept, decline or block. */
import type { SottoClient } from '@sotto/client';
import { useState } from 'react';
import { describeError } from '../lib/errors.js';

/** Props of {@link ContactRequest}. */
export interface ContactRequestProps {
  readonly client: SottoClient;
  readonly account: string;
  readonly onChanged: () => void;
}

/** One request with its three answers. */
export function ContactRequest({ client, account, onChanged }: ContactRequestProps) {
  const [error, setError] = useState('');
  const act = (fn: (name: string) => Promise<void>) => async () => {
    try {
      await fn.call(client, account);
      onChanged();
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <li className="request">
      <span className="name">{account}</span> wants to connect.
      <div className="actions">
        <button
          type="button"
          className="primary"
          onClick={act(client.acceptContact)}
          aria-label={`Accept ${account}`}
        >
          Accept
        </button>
        <button type="button" onClick={act(client.declineContact)} aria-label={`Decline ${account}`}>
          Decline
        </button>
        <button type="button" onClick={act(client.blockContact)} aria-label={`Block ${account}`}>
          Block
        </button>
      </div>
      {error !== '' && <p role="alert">{error}</p>}
    </li>
  );
}
