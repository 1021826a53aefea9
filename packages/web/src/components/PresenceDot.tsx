/** A coloured dot for a presence state. */
import type { PresenceState } from '@sotto/client';

/** Props of {@link PresenceDot}. */
export interface PresenceDotProps {
  readonly state: PresenceState;
}

/** The dot; its meaning is also given as text for screen readers. */
export function PresenceDot({ state }: PresenceDotProps) {
  return <span className={`dot dot-${state}`} title={state} role="img" aria-label={state} />;
}
