/**
 * The server's pino logger. Log lines carry routing facts (account names, device ids, frame types,
 * codes) and never bodies, keys, passwords, OPAQUE messages, tickets, signatures or email addresses; as
 * a second line of defence the fields that could hold them are redacted by name.
 */
import { type DestinationStream, type Logger, pino } from 'pino';

/** Field names whose values never reach a log line. */
export const REDACTED_FIELDS = [
  'password',
  'ticket',
  'body',
  'backup',
  'signature',
  'address',
  'registrationRecord',
  'registrationRequest',
  'registrationResponse',
  'startLoginRequest',
  'finishLoginRequest',
  'loginResponse',
  'req.headers.authorization',
  'req.headers.cookie',
] as const;

/** Creates the logger; `destination` defaults to stdout. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: [...REDACTED_FIELDS, ...REDACTED_FIELDS.map((f) => `*.${f}`)], censor: '[redacted]' },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
