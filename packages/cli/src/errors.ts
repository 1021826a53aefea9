/**
 * Turns anything a command throws into a stable code, an exit code and one human line that never carries
 * a secret: `SottoError` and {@link CliError} messages are written to be shown; other errors are reduced to
 * their code or name. `SottoError` is recognised by shape (name and code), not `instanceof`, so a second
 * copy of the class (sources and dist loaded side by side) is still recognised, and `--help` does not load
 * the crypto package.
 */
import { CliError, EXIT, type ExitCode } from './exit-codes.js';

/** What `sotto` prints and returns for a failure. */
export interface Failure {
  readonly code: string;
  readonly message: string;
  readonly exitCode: ExitCode;
}

const BY_SOTTO_CODE: Partial<Record<string, ExitCode>> = {
  INVALID_ACCOUNT_NAME: EXIT.USAGE,
  INVALID_ARGUMENT: EXIT.USAGE,
  LOGIN_FAILED: EXIT.AUTH,
  BACKUP_WRONG_KEY: EXIT.AUTH,
  UNAUTHENTICATED: EXIT.AUTH,
  AUTH_CHALLENGE_FAILED: EXIT.AUTH,
  AUTH_ORIGIN_MISMATCH: EXIT.AUTH,
  UNTRUSTED_IDENTITY: EXIT.REFUSED,
  ACCOUNT_EXISTS: EXIT.REFUSED,
  REGISTRATION_CLOSED: EXIT.REFUSED,
  INVITE_INVALID: EXIT.REFUSED,
  ACCOUNT_DISABLED: EXIT.AUTH,
  ACCOUNT_NOT_FOUND: EXIT.REFUSED,
  NOT_A_CONTACT: EXIT.REFUSED,
  BLOCKED: EXIT.REFUSED,
  DEVICE_NOT_FOUND: EXIT.REFUSED,
  RATE_LIMITED: EXIT.REFUSED,
  MAILBOX_FULL: EXIT.REFUSED,
  // Notification emails (issue 13).
  NOTIFICATIONS_UNAVAILABLE: EXIT.REFUSED,
  VERIFICATION_FAILED: EXIT.REFUSED,
  // Codes the SDK adds (@sotto/client).
  WEAK_PASSWORD: EXIT.REFUSED,
  ALREADY_REGISTERED: EXIT.REFUSED,
  NOT_REGISTERED: EXIT.USAGE,
  NOT_CONNECTED: EXIT.NETWORK,
  TIMEOUT: EXIT.NETWORK,
  STORAGE_WRONG_KEY: EXIT.AUTH,
  // Files (issue 11).
  FILE_TOO_LARGE: EXIT.REFUSED,
  QUOTA_EXCEEDED: EXIT.REFUSED,
  MESSAGE_NOT_FOUND: EXIT.USAGE,
  CANCELLED: EXIT.INTERRUPTED,
  // Groups (issue 12). GROUP_CREDENTIAL_INVALID, MLS_INVALID, GROUP_COMMIT_MISSING and STALE_EPOCH (only
  // after the SDK's retries) stay 1.
  GROUP_NOT_FOUND: EXIT.USAGE,
  GROUP_AMBIGUOUS: EXIT.USAGE,
  NOT_GROUP_ADMIN: EXIT.REFUSED,
  NOT_A_GROUP_MEMBER: EXIT.REFUSED,
  NO_KEY_PACKAGES: EXIT.REFUSED,
  GROUP_TOO_LARGE: EXIT.REFUSED,
};

/**
 * What sotto says instead of (or after) the SDK's sentence for some codes, where the command line can say
 * what to do next.
 */
const CLI_SENTENCE: Partial<Record<string, (message: string) => string>> = {
  NO_KEY_PACKAGES: (m) =>
    `${m} Each device publishes the keys that let it be added when it connects: once they have run any sotto command (e.g. "sotto receive"), try again.`,
  STALE_EPOCH: () =>
    'the group kept changing while this change was made (other members changed it at the same moment); nothing was changed: run the command again',
};

/** The exit code of a failure with stable code `code` (a SottoError's, or one a message records). */
export function exitCodeFor(code: string): ExitCode {
  return BY_SOTTO_CODE[code] ?? EXIT.OTHER;
}

/** Node's error codes for a server that cannot be reached or a connection that broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

function systemCode(err: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
  const nested = (err as { cause?: unknown; errors?: unknown }).errors;
  if (Array.isArray(nested)) {
    for (const e of nested) {
      const c = systemCode(e, depth + 1);
      if (c !== undefined) return c;
    }
  }
  return systemCode((err as { cause?: unknown }).cause, depth + 1);
}

/** Classifies `err`; see {@link EXIT} for the exit codes. */
export function describeFailure(err: unknown): Failure {
  if (err instanceof CliError) return { code: err.code, message: err.message, exitCode: err.exitCode };
  if (isSottoError(err)) {
    const network = systemCode(err.cause);
    if (network !== undefined) return networkFailure(network);
    const message = CLI_SENTENCE[err.code]?.(err.message) ?? err.message;
    return { code: err.code, message, exitCode: exitCodeFor(err.code) };
  }
  const network = systemCode(err);
  if (network !== undefined) return networkFailure(network);
  const name = err instanceof Error ? err.name : typeof err;
  return { code: 'INTERNAL', message: `unexpected error (${name})`, exitCode: EXIT.OTHER };
}

/** The stable code of a `SottoError` (recognised by shape), else undefined. */
export function sottoCode(err: unknown): string | undefined {
  return isSottoError(err) ? err.code : undefined;
}

function isSottoError(err: unknown): err is Error & { code: string } {
  if (!(err instanceof Error) || err.name !== 'SottoError') return false;
  const code: unknown = (err as Error & { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code);
}

function networkFailure(code: string): Failure {
  return { code: 'NETWORK', message: `cannot reach the server (${code})`, exitCode: EXIT.NETWORK };
}
