/**
 * Password strength (zxcvbn-ts with the common and English dictionaries). The matcher is built once per
 * module load: it holds only dictionaries, no user data.
 */

import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';
import type { PasswordStrength } from './types.js';

let factory: ZxcvbnFactory | undefined;

function zxcvbn(): ZxcvbnFactory {
  factory ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
  return factory;
}

/** The lowest score `register` accepts without `allowWeakPassword`. */
export const MIN_PASSWORD_SCORE = 3;

/**
 * Rates `password` from 0 to 4; `userInputs` (the account name, the server host) count as guessable.
 * Never throws for a string; the password is not kept.
 */
export function checkPassword(password: string, userInputs: readonly string[] = []): PasswordStrength {
  const r = zxcvbn().check(password, [...userInputs]);
  const score = r.score as PasswordStrength['score'];
  return {
    score,
    weak: score < MIN_PASSWORD_SCORE,
    warning: r.feedback.warning ?? '',
    suggestions: [...r.feedback.suggestions],
  };
}
