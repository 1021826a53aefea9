/** The ringing dialog: who calls, with what, and accept (with video or audio only) or decline. */
import type { Call } from '@sotto/client';

/** Props of {@link IncomingCall}. */
export interface IncomingCallProps {
  readonly call: Call;
  readonly busy: boolean;
  readonly onAccept: (video: boolean) => void;
  readonly onDecline: () => void;
}

/** The incoming call dialog. */
export function IncomingCall({ call, busy, onAccept, onDecline }: IncomingCallProps) {
  const video = call.media === 'video';
  return (
    <div className="call-card incoming" role="alertdialog" aria-labelledby="call-title" aria-busy={busy}>
      <h2 id="call-title">{call.peer} is calling</h2>
      <p className="call-status" data-testid="call-status">
        Incoming {video ? 'video' : 'voice'} call
      </p>
      <div className="call-actions">
        {video && (
          <button type="button" className="accept" disabled={busy} onClick={() => onAccept(true)}>
            Accept with video
          </button>
        )}
        <button type="button" className="accept" disabled={busy} onClick={() => onAccept(false)}>
          {video ? 'Accept with audio only' : 'Accept'}
        </button>
        <button type="button" className="decline" disabled={busy} onClick={onDecline}>
          Decline
        </button>
      </div>
    </div>
  );
}
