/**
 * The account's notification email: set an address, enter the code the server mailed there, see where
 * notices go, remove it. The server keeps the address and mails a notice that says only that messages
 * are waiting (no sender, no text) when none of this account's devices is connected, or while it is busy.
 */
import type { NotificationEmail, SottoClient } from '@sotto/client';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { describeError } from '../lib/errors.js';

/** Props of {@link NotificationEmailSettings}. */
export interface NotificationEmailSettingsProps {
  readonly client: SottoClient;
}

/** The address form, shown when there is none, or to replace it. */
function AddressForm({ onSubmit, busy }: { onSubmit: (address: string) => void; busy: boolean }) {
  const [address, setAddress] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(address);
  };
  return (
    <form className="settings-form" onSubmit={submit}>
      <label htmlFor="notify-address">Email address</label>
      <input
        id="notify-address"
        type="email"
        autoComplete="email"
        value={address}
        onChange={(e) => setAddress(e.target.value)}
      />
      <button type="submit" disabled={busy || address.trim() === ''}>
        Send code
      </button>
    </form>
  );
}

/** The code form, while the address waits for its code. */
function CodeForm({ onSubmit, busy }: { onSubmit: (code: string) => void; busy: boolean }) {
  const [code, setCode] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(code);
  };
  return (
    <form className="settings-form" onSubmit={submit}>
      <label htmlFor="notify-code">Code from the email</label>
      <input
        id="notify-code"
        inputMode="numeric"
        autoComplete="one-time-code"
        maxLength={7}
        value={code}
        onChange={(e) => setCode(e.target.value)}
      />
      <button type="submit" disabled={busy || code.trim() === ''}>
        Verify
      </button>
    </form>
  );
}

/** The email section of Settings. */
export function NotificationEmailSettings({ client }: NotificationEmailSettingsProps) {
  const [state, setState] = useState<NotificationEmail | undefined>();
  const [changing, setChanging] = useState(false);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');
  const [error, setError] = useState('');

  useEffect(() => {
    client.notificationEmail().then(setState, (err) => setError(describeError(err)));
  }, [client]);

  const run = async (work: () => Promise<NotificationEmail>, done: string) => {
    setBusy(true);
    setError('');
    setNote('');
    try {
      setState(await work());
      setChanging(false);
      setNote(done);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  const setAddress = (address: string) =>
    run(() => client.setNotificationEmail(address), `We emailed a code to ${address.trim()}.`);
  const verify = (code: string) =>
    run(() => client.verifyNotificationEmail(code), 'Verified: notices go to this address now.');
  const remove = () => run(() => client.removeNotificationEmail(), 'Removed: no more notices by email.');

  let body: ReactNode;
  if (state === undefined) body = error === '' ? <p className="hint">Loading…</p> : null;
  else if (!state.available && state.address === undefined) {
    body = <p className="hint">This server does not send emails.</p>;
  } else if (state.address === undefined || changing) {
    body = <AddressForm onSubmit={setAddress} busy={busy} />;
  } else {
    body = (
      <>
        <p data-testid="notify-address">
          {state.verified ? 'Notices go to ' : 'Waiting for the code sent to '}
          <strong>{state.address}</strong>
          {state.verified ? '.' : ' (it is valid for 15 minutes).'}
        </p>
        {!state.verified && <CodeForm onSubmit={verify} busy={busy} />}
        <div className="settings-actions">
          <button type="button" onClick={() => setChanging(true)} disabled={busy}>
            {state.verified ? 'Change address' : 'Use another address'}
          </button>
          <button type="button" onClick={remove} disabled={busy}>
            Remove
          </button>
        </div>
      </>
    );
  }

  return (
    <section className="settings-section" aria-labelledby="notify-email-heading">
      <h3 id="notify-email-heading">Email notifications</h3>
      <p className="hint">
        When messages wait while none of your devices is online, or while you are busy, the server can email
        you a notice. It says only that there are new messages: never who wrote or what.
      </p>
      {body}
      {note !== '' && (
        <p role="status" className="hint">
          {note}
        </p>
      )}
      {error !== '' && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
