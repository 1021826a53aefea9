/** Log in: this browser becomes a new device of an existing account. */
import type { SottoClient } from '@sotto/client';
import { type FormEvent, useState } from 'react';
import { defaultDeviceName } from '../lib/device-name.js';
import { describeError } from '../lib/errors.js';

/** Props of {@link LoginForm}. */
export interface LoginFormProps {
  readonly client: SottoClient;
  readonly onSignedIn: (account: string) => void;
}

/** The login form. */
export function LoginForm({ client, onSignedIn }: LoginFormProps) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    setBusy(true);
    try {
      const r = await client.login({
        name: name.trim(),
        password,
        deviceName: defaultDeviceName(),
      });
      onSignedIn(r.account);
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-label="Log in">
      <p className="hint">Logging in adds this browser as a new device of your account.</p>
      <label htmlFor="login-name">Name</label>
      <input
        id="login-name"
        autoComplete="username"
        value={name}
        onChange={(e) => setName(e.target.value)}
        required
        disabled={busy}
      />
      <label htmlFor="login-password">Password</label>
      <input
        id="login-password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        required
        disabled={busy}
      />
      {error !== '' && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Logging in…' : 'Log in'}
      </button>
    </form>
  );
}
