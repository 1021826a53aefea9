/**
 * Log out, after saying exactly what happens: when the account has another device, this browser's device
 * is revoked (a new signed device list leaves it out); when it is the only device, it stays listed. Either
 * way the browser's keys and history are deleted afterwards. Offline (or already revoked elsewhere),
 * nothing can be revoked: the dialog says so and offers to delete this browser's data only.
 */
import { type SottoClient, SottoError } from '@sotto/client';
import { useEffect, useRef, useState } from 'react';
import { describeError } from '../lib/errors.js';

/** Props of {@link LogoutDialog}. */
export interface LogoutDialogProps {
  readonly client: SottoClient;
  /** Called once the device is signed out (or the person chose to only delete local data). */
  readonly onLoggedOut: () => void;
  readonly onCancel: () => void;
}

type Phase =
  | { readonly kind: 'checking' }
  | { readonly kind: 'ask'; readonly others: number }
  | { readonly kind: 'working' }
  | { readonly kind: 'offline' }
  | { readonly kind: 'failed'; readonly message: string };

/** A modal dialog. */
export function LogoutDialog({ client, onLoggedOut, onCancel }: LogoutDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'checking' });

  useEffect(() => {
    const d = ref.current;
    if (d !== null && !d.open) d.showModal();
    client.listDevices().then(
      (list) => setPhase({ kind: 'ask', others: list.filter((x) => !x.current && x.certified).length }),
      () => setPhase({ kind: 'offline' }),
    );
  }, [client]);

  const logOut = async () => {
    setPhase({ kind: 'working' });
    try {
      await client.logout();
      onLoggedOut();
    } catch (err) {
      setPhase(
        SottoError.is(err, 'NOT_CONNECTED')
          ? { kind: 'offline' }
          : { kind: 'failed', message: describeError(err) },
      );
    }
  };

  return (
    <dialog ref={ref} className="dialog" aria-labelledby="logout-title" onCancel={onCancel}>
      <h2 id="logout-title">Log out of this browser?</h2>
      {phase.kind === 'checking' && <p aria-busy="true">Checking your devices…</p>}
      {phase.kind === 'ask' && phase.others > 0 && (
        <p>
          This browser’s device will be <strong>revoked</strong>: it is removed from your account’s device
          list and your contacts stop encrypting to it. Its keys and history in this browser are deleted. Your
          other {phase.others === 1 ? 'device keeps' : `${phase.others} devices keep`} working.
        </p>
      )}
      {phase.kind === 'ask' && phase.others === 0 && (
        <p>
          This browser is your account’s <strong>only device</strong>, so it <strong>stays listed</strong> on
          your account (there is no other device to remove it with). Its keys and history in this browser are
          deleted; log in again with your password to use the account.
        </p>
      )}
      {phase.kind === 'working' && <p aria-busy="true">Logging out…</p>}
      {phase.kind === 'offline' && (
        <p role="alert">
          The server cannot be reached (or this device was already revoked), so this device cannot be revoked
          now. You can still delete this browser’s keys and history; the device then stays listed until you
          revoke it from another device.
        </p>
      )}
      {phase.kind === 'failed' && (
        <p role="alert" className="error">
          {phase.message}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={onCancel} disabled={phase.kind === 'working'}>
          Cancel
        </button>
        {(phase.kind === 'offline' || phase.kind === 'failed') && (
          <button type="button" className="danger" onClick={onLoggedOut}>
            Delete this browser’s data
          </button>
        )}
        {phase.kind !== 'offline' && (
          <button
            type="button"
            className={phase.kind === 'failed' ? '' : 'danger'}
            onClick={logOut}
            disabled={phase.kind === 'checking' || phase.kind === 'working'}
          >
            Log out of this browser
          </button>
        )}
      </div>
    </dialog>
  );
}
