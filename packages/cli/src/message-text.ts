/**
 * What makes a message text acceptable, checked before anything is opened or sent, so a bad one is a
 * usage error (exit 2) that never connects.
 */
import { usageError } from './exit-codes.js';

/**
 * The longest message, in characters (code points): the SDK's limit (`MAX_TEXT_CHARS` in
 * packages/client/src/content.ts, which refuses more with INVALID_ARGUMENT after connecting).
 */
export const MAX_MESSAGE_CHARS = 16_000;

/**
 * Checks a message text.
 * @throws CliError USAGE when it is empty or longer than {@link MAX_MESSAGE_CHARS}.
 */
export function checkMessageText(text: string): void {
  if (text === '') throw usageError('the message is empty');
  let chars = 0;
  for (const _ of text) chars++;
  if (chars > MAX_MESSAGE_CHARS) {
    throw usageError(`the message is too long: ${chars} characters, at most ${MAX_MESSAGE_CHARS}`);
  }
}
