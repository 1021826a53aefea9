/** The root: opens the browser profile, then shows the sign-in screens or the messenger. */
import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../lib/errors.js';
import { destroySession, openSession, type Session } from '../lib/session.js';
import { AuthScreen } from './AuthScreen.js';
import { Messenger } from './Messenger.js';

type Phase =
  | { readonly kind: 'loading' }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'signed-out'; readonly session: Session }
  | { readonly kind: 'signed-in'; readonly session: Session; readonly account: string };

/** The application. */
export function App() {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });

  // `cancelled` stops a boot whose component went away (StrictMode mounts twice in development): its
  // client is closed, so one profile never has two clients.
  const boot = useCallback(async (cancelled: () => boolean) => {
    try {
      const session = await openSession();
      const registered = await session.client.isRegistered();
      if (cancelled()) {
        await session.journal.stop();
        await session.store.close();
        return;
      }
      if (!registered) {
        setPhase({ kind: 'signed-out', session });
        return;
      }
      const me = await session.client.whoami();
      session.client.connect().catch(() => undefined); // keeps retrying in the background
      setPhase({ kind: 'signed-in', session, account: me.account });
    } catch (err) {
      if (!cancelled()) setPhase({ kind: 'failed', message: describeError(err) });
    }
  }, []);

  useEffect(() => {
    let gone = false;
    void boot(() => gone);
    return () => {
      gone = true;
    };
  }, [boot]);

  if (phase.kind === 'loading') {
    return (
      <main className="center" aria-busy="true">
        <p>Opening Sotto…</p>
      </main>
    );
  }
  if (phase.kind === 'failed') {
    return (
      <main className="center">
        <p role="alert">Sotto cannot start in this browser: {phase.message}</p>
      </main>
    );
  }
  if (phase.kind === 'signed-out') {
    return (
      <AuthScreen
        client={phase.session.client}
        onSignedIn={(account) => setPhase({ kind: 'signed-in', session: phase.session, account })}
      />
    );
  }
  const logOut = async () => {
    setPhase({ kind: 'loading' });
    await destroySession(phase.session).catch(() => undefined);
    await boot(() => false);
  };
  return (
    <Messenger
      client={phase.session.client}
      journal={phase.session.journal}
      account={phase.account}
      onLogOut={logOut}
    />
  );
}
