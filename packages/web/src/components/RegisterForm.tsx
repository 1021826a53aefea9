/**
 * Create an account: name, password with a strength meter, an invite for servers that register only with
 * one, key-generation progress. The password checker
 * (zxcvbn and its ~750 KB of dictionaries, compressed) loads when the person starts filling the form, not
 * with the screen, so the first screen stays small.
 */
import type { PasswordStrength, ProgressEvent, SottoClient } from '@sotto/client';
import { type FormEvent, useState } from 'react';
import { defaultDeviceName } from '../lib/device-name.js';
import { describeError } from '../lib/errors.js';
import { checkPassword, loadPasswordChecker } from '../lib/password-shim.js';
import { PasswordMeter } from './PasswordMeter.js';

const STEP_TEXT: Record<ProgressEvent['step'], string> = {
  password: 'Checking the password',
  identity: 'Generating your identity key',
  device: 'Generating this device’s keys',
  prekeys: 'Publishing prekeys',
  opaque: 'Registering the password (OPAQUE)',
  backup: 'Sealing the key backup',
  upload: 'Uploading',
  done: 'Done',
};

/** Props of {@link RegisterForm}. */
export interface RegisterFormProps {
  readonly client: SottoClient;
  readonly onSignedIn: (account: string) => void;
}

/** The registration form. */
export function RegisterForm({ client, onSignedIn }: RegisterFormProps) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [invite, setInvite] = useState('');
  const [ready, setReady] = useState(false);
  const [progress, setProgress] = useState<ProgressEvent | undefined>();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const [requested, setRequested] = useState(false);
  const loadChecker = () => {
    if (requested) return;
    setRequested(true);
    loadPasswordChecker().then(
      () => setReady(true),
      () => setError('The password checker could not be loaded.'),
    );
  };

  const strength: PasswordStrength | undefined =
    ready && password !== '' ? checkPassword(password, [name, window.location.hostname]) : undefined;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    setBusy(true);
    try {
      await loadPasswordChecker();
      const r = await client.register({
        name: name.trim(),
        password,
        deviceName: defaultDeviceName(),
        ...(invite.trim() === '' ? {} : { invite: invite.trim() }),
        onProgress: setProgress,
      });
      onSignedIn(r.account);
    } catch (err) {
      setError(describeError(err));
      setProgress(undefined);
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} onFocus={loadChecker} aria-label="Create account">
      <label htmlFor="reg-name">Name</label>
      <input
        id="reg-name"
        autoComplete="username"
        value={name}
        onChange={(e) => setName(e.target.value)}
        required
        disabled={busy}
      />
      <label htmlFor="reg-password">Password</label>
      <input
        id="reg-password"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        required
        disabled={busy}
      />
      <PasswordMeter strength={strength} loading={requested && !ready} />
      <label htmlFor="reg-invite">Invite (only if the server asks for one)</label>
      <input
        id="reg-invite"
        autoComplete="off"
        spellCheck={false}
        value={invite}
        onChange={(e) => setInvite(e.target.value)}
        disabled={busy}
      />
      {progress !== undefined && (
        <div className="progress" aria-live="polite">
          <progress max={progress.total} value={progress.done} aria-label="Key generation progress" />
          <span>{STEP_TEXT[progress.step]}…</span>
        </div>
      )}
      {error !== '' && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy || strength?.weak !== false}>
        {busy ? 'Creating…' : 'Create account'}
      </button>
    </form>
  );
}
