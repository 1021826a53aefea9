/** The safety number with a contact (digits and QR code) and the button to mark them verified. */
import type { Contact, SafetyNumberInfo, SottoClient } from '@sotto/client';
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { describeError } from '../lib/errors.js';
import { IdentityBanner } from './IdentityBanner.js';

const QrCode = lazy(() => import('./QrCode.js'));

/** Props of {@link VerificationPanel}. */
export interface VerificationPanelProps {
  readonly client: SottoClient;
  readonly contact: Contact;
  readonly onBack: () => void;
  readonly onChanged: () => void;
}

/** Compare the number (or scan the code) on both devices, then mark verified. */
export function VerificationPanel({ client, contact, onBack, onChanged }: VerificationPanelProps) {
  const name = contact.account;
  const [info, setInfo] = useState<SafetyNumberInfo | undefined>();
  const [error, setError] = useState('');

  const load = useCallback(() => {
    client.safetyNumber(name).then(setInfo, (err) => setError(describeError(err)));
  }, [client, name]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the key or trust changes
  useEffect(load, [load, contact.identityChanged, contact.verified]);

  const verify = async () => {
    setError('');
    try {
      await client.markVerified(name);
      onChanged();
    } catch (err) {
      setError(describeError(err));
    }
  };

  return (
    <div className="verification">
      <header className="pane-header">
        <button
          type="button"
          className="back back-always"
          onClick={onBack}
          aria-label={`Back to the conversation with ${name}`}
        >
          ←
        </button>
        <div className="title">
          <h2>Safety number with {name}</h2>
        </div>
      </header>
      <div className="verification-body">
        {contact.identityChanged && (
          <IdentityBanner client={client} contact={contact} onVerify={load} onChanged={onChanged} />
        )}
        <p>
          Compare these numbers with {name}’s screen, in person or on a call, or scan the code. If they match,
          nobody is intercepting your conversation.
        </p>
        {info === undefined ? (
          <p aria-busy="true">Computing…</p>
        ) : (
          <>
            <p className="safety-number" data-testid="safety-number">
              {info.groups.map((g, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the groups are positional
                <span key={i}>{g}</span>
              ))}
            </p>
            <Suspense fallback={<p>Drawing the code…</p>}>
              <QrCode payload={info.qrPayload} label={`QR code of the safety number with ${name}`} />
            </Suspense>
          </>
        )}
        {error !== '' && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {contact.verified ? (
          <p className="verified-note" role="status">
            ✓ You have verified {name}.
          </p>
        ) : (
          <button type="button" className="primary" onClick={verify} disabled={contact.identityChanged}>
            Mark as verified
          </button>
        )}
      </div>
    </div>
  );
}
