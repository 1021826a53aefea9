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
    return { code: err.code, message: err.message, exitCode: exitCodeFor(err.code) };
  }
  const network = systemCode(err);
  if (network !== undefined) return networkFailure(network);
  const name = err instanceof Error ? err.name : typeof err;
  return { code: 'INTERNAL', message: `unexpected error (${name})`, exitCode: EXIT.OTHER };
}

function isSottoError(err: unknown): err is Error & { code: string } {
  if (!(err instanceof Error) || err.name !== 'SottoError') return false;
  const code: unknown = (err as Error & { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code);
}

function networkFailure(code: string): Failure {
  return { code: 'NETWORK', message: `cannot reach the server (${code})`, exitCode: EXIT.NETWORK };
}
