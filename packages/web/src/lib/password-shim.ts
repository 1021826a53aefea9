/**
 * Replaces the SDK's `password.ts` in the browser bundle (see vite.config.ts): the zxcvbn dictionaries
 * (~1 MB) are loaded on demand by {@link loadPasswordChecker} — the register screen calls it — instead of
 * with the first page. `checkPassword` keeps the SDK's synchronous signature; called before the checker is
 * loaded it throws, so `register` must run after `loadPasswordChecker` resolved.
 */
import { SottoError } from '@sotto/crypto';
import type { PasswordStrength } from '../../../client/src/types.js';

type Real = typeof import('../../../client/src/password.js');

let real: Real | undefined;
let loading: Promise<Real> | undefined;

/** The lowest score `register` accepts without `allowWeakPassword` (as in the SDK). */
export const MIN_PASSWORD_SCORE = 3;

/** Loads zxcvbn and its dictionaries once; resolves when {@link checkPassword} works. */
export function loadPasswordChecker(): Promise<void> {
  loading ??= import('../../../client/src/password.js').then((m) => {
    real = m;
    return m;
  });
  return loading.then(() => undefined);
}

/** The SDK's `checkPassword`; throws INTERNAL until {@link loadPasswordChecker} resolved. */
export function checkPassword(password: string, userInputs: readonly string[] = []): PasswordStrength {
  if (real === undefined) throw new SottoError('INTERNAL', 'The password checker is still loading.');
  return real.checkPassword(password, userInputs);
}
