/**
 * The operator's STUN and TURN servers (`--turn-url`, repeatable) and the secret shared with the TURN
 * server (`--turn-secret` / `SOTTO_TURN_SECRET`, or `--turn-secret-file`): coturn's `static-auth-secret`
 * under `use-auth-secret`. The secret is held in a {@link TurnSecret}, which never prints.
 */
import { readFileSync, statSync } from 'node:fs';
import { inspect } from 'node:util';
import { iceUrl } from '@sotto/protocol';

/** Default lifetime of minted TURN credentials, in seconds (6 hours). */
export const DEFAULT_TURN_TTL_SECONDS = 6 * 3600;
/** Shortest and longest `--turn-ttl`, in seconds. */
export const TURN_TTL_RANGE = { min: 60, max: 7 * 24 * 3600 } as const;
/** Most `--turn-url` values (the protocol carries at most 16 URLs per entry). */
export const MAX_TURN_URLS = 16;

/** A secret that renders as `[redacted]` wherever it is printed, logged or serialized. */
export class TurnSecret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself, for the HMAC only. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return '[redacted]';
  }
}

/** What the server hands out for calls. */
export interface TurnSettings {
  /** `stun:`/`stuns:` URLs, given without credentials. */
  readonly stunUrls: readonly string[];
  /** `turn:`/`turns:` URLs, given with time-limited credentials (needs {@link secret}). */
  readonly turnUrls: readonly string[];
  /** coturn's `static-auth-secret`; set whenever {@link turnUrls} is not empty. */
  readonly secret: TurnSecret | undefined;
  /** Lifetime of minted credentials, in seconds. */
  readonly ttlSeconds: number;
}

/** Printable ASCII without spaces: what a coturn configuration line can hold as `static-auth-secret`. */
const SECRET = /^[\x21-\x7e]{16,512}$/;
/** A secret file larger than this is refused unread. */
const MAX_SECRET_FILE_BYTES = 4096;

/** The raw option values, as `parseConfig` gathers them. */
export interface TurnOptions {
  readonly urls: readonly string[];
  readonly secret: string | undefined;
  readonly secretFile: string | undefined;
  readonly ttl: string | undefined;
}

/** The secret from `file` (one line; a trailing newline is dropped). Throws an Error for the operator. */
function readSecretFile(file: string): string {
  try {
    if (statSync(file).size > MAX_SECRET_FILE_BYTES) throw new Error('larger than 4 KiB');
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new Error(`--turn-secret-file: cannot read ${file} (${code})`);
  }
}

/**
 * The TURN settings, or undefined when no `--turn-url` is given. Throws an Error with a sentence for the
 * operator (never quoting the secret) on a URL that is not `stun:`/`stuns:`/`turn:`/`turns:`, a TURN URL
 * without a secret, a secret without a TURN URL, both `--turn-secret` and `--turn-secret-file`, a secret
 * that is not 16–512 printable ASCII characters without spaces, or a TTL outside 60 s … 7 days.
 */
export function parseTurn(options: TurnOptions): TurnSettings | undefined {
  if (options.secret !== undefined && options.secretFile !== undefined) {
    throw new Error('--turn-secret and --turn-secret-file exclude each other');
  }
  const urls = options.urls
    .flatMap((v) => v.split(','))
    .map((u) => u.trim())
    .filter((u) => u !== '');
  if (urls.length > MAX_TURN_URLS) throw new Error(`--turn-url: at most ${MAX_TURN_URLS} URLs`);
  for (const url of urls) {
    try {
      iceUrl.check(url);
    } catch {
      throw new Error(
        '--turn-url takes stun:HOST[:PORT], turn:HOST[:PORT][?transport=udp|tcp] or turns:… (no credentials in the URL)',
      );
    }
  }
  const turnUrls = [...new Set(urls.filter((u) => u.startsWith('turn')))];
  const stunUrls = [...new Set(urls.filter((u) => u.startsWith('stun')))];
  const raw = options.secretFile === undefined ? options.secret : readSecretFile(options.secretFile);
  if (raw !== undefined && !SECRET.test(raw)) {
    throw new Error('--turn-secret must be 16 to 512 printable ASCII characters without spaces');
  }
  if (turnUrls.length > 0 && raw === undefined) {
    throw new Error('a turn: URL needs --turn-secret or --turn-secret-file (coturn static-auth-secret)');
  }
  if (turnUrls.length === 0 && raw !== undefined) throw new Error('--turn-secret needs a turn: --turn-url');
  let ttlSeconds = DEFAULT_TURN_TTL_SECONDS;
  if (options.ttl !== undefined) {
    ttlSeconds = /^\d{1,9}$/.test(options.ttl) ? Number(options.ttl) : Number.NaN;
    if (!(ttlSeconds >= TURN_TTL_RANGE.min && ttlSeconds <= TURN_TTL_RANGE.max)) {
      throw new Error('--turn-ttl takes seconds, 60 to 604800');
    }
    if (urls.length === 0) throw new Error('--turn-ttl needs --turn-url');
  }
  if (urls.length === 0) return undefined;
  return { stunUrls, turnUrls, secret: raw === undefined ? undefined : new TurnSecret(raw), ttlSeconds };
}
