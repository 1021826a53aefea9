/**
 * A notice that an unverified contact's safety number changed. The SDK accepts such a key at once (trust
 * on first use) and says so with an `identity-changed` event; sending is not paused.
 */

/** Props of {@link IdentityNotice}. */
export interface IdentityNoticeProps {
  readonly account: string;
  readonly onVerify: () => void;
  readonly onDismiss: () => void;
}

/** Shown until dismissed. */
export function IdentityNotice({ account, onVerify, onDismiss }: IdentityNoticeProps) {
  return (
    <div className="identity-banner notice" role="status">
      <strong>{account}’s safety number has changed.</strong>
      <p>
        This happens when they reinstall Sotto or log in again. To be sure nobody is intercepting, compare the
        new safety number with them.
      </p>
      <div className="actions">
        <button type="button" onClick={onVerify}>
          Show safety number
        </button>
        <button type="button" onClick={onDismiss}>
          Dismiss
        </button>
      </div>
    </div>
  );
}
