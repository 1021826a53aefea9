/** Sign-in: create an account, or add this browser as a new device of an existing one. */
import type { SottoClient } from '@sotto/client';
import { useState } from 'react';
import { LoginForm } from './LoginForm.js';
import { RegisterForm } from './RegisterForm.js';

/** Props of {@link AuthScreen}. */
export interface AuthScreenProps {
  readonly client: SottoClient;
  readonly onSignedIn: (account: string) => void;
}

/** Two tabs: register and log in. */
export function AuthScreen({ client, onSignedIn }: AuthScreenProps) {
  const [tab, setTab] = useState<'register' | 'login'>('register');
  return (
    <main className="auth">
      <div className="auth-card">
        <h1 className="brand">Sotto</h1>
        <p className="tagline">Private messages, end-to-end encrypted.</p>
        <div className="tabs" role="tablist" aria-label="Sign in">
          <button
            type="button"
            role="tab"
            aria-selected={tab === 'register'}
            onClick={() => setTab('register')}
          >
            Create account
          </button>
          <button type="button" role="tab" aria-selected={tab === 'login'} onClick={() => setTab('login')}>
            Log in
          </button>
        </div>
        {tab === 'register' ? (
          <RegisterForm client={client} onSignedIn={onSignedIn} />
        ) : (
          <LoginForm client={client} onSignedIn={onSignedIn} />
        )}
      </div>
    </main>
  );
}
