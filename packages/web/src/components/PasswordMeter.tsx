/** A password strength meter (zxcvbn, loaded lazily) with the warning and suggestions. */
import type { PasswordStrength } from '@sotto/client';

const LABELS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'] as const;

/** Props of {@link PasswordMeter}; `strength` is undefined while the checker loads or nothing is typed. */
export interface PasswordMeterProps {
  readonly strength: PasswordStrength | undefined;
  readonly loading: boolean;
}

/** Shows the score as a bar and a word, and the advice. */
export function PasswordMeter({ strength, loading }: PasswordMeterProps) {
  if (strength === undefined) {
    return (
      <p className="hint" aria-live="polite">
        {loading ? 'Loading the strength checker…' : 'Use a long passphrase: a few unrelated words.'}
      </p>
    );
  }
  return (
    <div className="meter" aria-live="polite">
      <meter
        min={0}
        max={4}
        low={2}
        high={3}
        optimum={4}
        value={strength.score}
        aria-label="Password strength"
      />
      <span className={`meter-label score-${strength.score}`} data-testid="strength">
        {LABELS[strength.score]}
      </span>
      {strength.warning !== '' && <p className="warning">{strength.warning}</p>}
      {strength.suggestions.length > 0 && (
        <ul className="suggestions">
          {strength.suggestions.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
