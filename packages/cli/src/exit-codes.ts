/**
 * The exit codes of `sotto` and the one error type its commands throw. Codes are stable: scripts may
 * branch on them. Every failure also prints one human line with a stable code to stderr.
 */

/** Exit codes, documented in `sotto --help`. */
export const EXIT = Object.freeze({
  /** Success. */
  OK: 0,
  /** Any other failure. */
  OTHER: 1,
  /** Bad command line: unknown command or option, missing argument, no password source without a TTY. */
  USAGE: 2,
  /** Authentication: wrong name or password, or the server no longer accepts this device. */
  AUTH: 3,
  /** The server could not be reached, or the connection failed. */
  NETWORK: 4,
  /**
   * Refused: an untrusted (changed) identity key, a weak password, blocked, not a contact, name taken, a
   * file over the server's limit or the account's quota, notification emails unavailable or a wrong code.
   */
  REFUSED: 5,
  /** Interrupted with Ctrl-C: at a prompt, or a file transfer (cancelled). */
  INTERRUPTED: 130,
});

/** One of {@link EXIT}'s values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI reports itself: `code` is a stable upper-case word, `message` a human sentence. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Shorthand for a usage error (exit 2). */
export function usageError(message: string): CliError {
  return new CliError('USAGE', message, EXIT.USAGE);
}
