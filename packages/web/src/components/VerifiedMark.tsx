/** A check mark for a verified contact (hidden while the contact's key change is pending). */
import type { Contact } from '@sotto/client';

/** Props of {@link VerifiedMark}. */
export interface VerifiedMarkProps {
  readonly contact: Contact;
}

/** `✓` with "verified" for screen readers, or nothing. */
export function VerifiedMark({ contact }: VerifiedMarkProps) {
  if (!contact.verified || contact.identityChanged) return null;
  return (
    <span className="verified" title="Verified">
      <span aria-hidden="true">✓</span>
      <span className="sr-only">verified</span>
    </span>
  );
}
