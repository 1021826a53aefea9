/** A warning that a contact's identity key (safety number) changed, with the way forward. */
import type { Contact, SottoClient } from '@sotto/client';
import { useState } from 'react';
import { describeError } from '../lib/errors.js';

/** Props of {@link IdentityBanner}. */
export interface IdentityBannerProps {
  readonly client: SottoClient;
  readonly contact: Contact;
  readonly onVerify: () => void;
  readonly onChanged: () => void;
}

/** Shown while a change is pending; sending stays paused until it is acknowledged. */
export function IdentityBanner({ client, contact, onVerify, onChanged }: IdentityBannerProps) {
  const [error, setError] = useState('');
  const acknowledge = async () => {
    try {
      await client.acknowledgeIdentityChange(contact.account);
      onChanged();
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <div className="identity-banner" role="alert">
      <strong>{contact.account}’s safety number has changed.</strong>
      <p>
        They may have reinstalled Sotto — or someone may be intercepting. Sending is paused. Compare the new
        safety number with them in person or on a call before you continue.
      </p>
      <div className="actions">
        <button type="button" onClick={onVerify}>
          Show safety number
        </button>
        <button type="button" className="primary" onClick={acknowledge}>
          Accept the new key
        </button>
      </div>
      {error !== '' && <p>{error}</p>}
    </div>
  );
}
