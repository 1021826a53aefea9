/**
 * Connection authentication (DESIGN §3): every connection gets a fresh 32-byte nonce; the device signs
 * `authChallengeMessage(nonce, account, deviceId, origin)` with its device signing key (from the account's
 * identity-signed device list), where `origin` is the server origin it connected to. The server accepts the
 * signature only for one of its own {@link AcceptedOrigins}, never for an origin taken from the request, so
 * a server that relays our challenges to its own clients gets nothing it can use. The nonce is single use,
 * so a recorded signature never opens another connection; the database holds only public keys, so nothing
 * in it logs anyone in.
 */
import { randomBytes } from 'node:crypto';
import type { CryptoProvider } from '@sotto/crypto';
import { authChallengeMessage, type FrameOf } from '@sotto/protocol';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { ApiError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import type { Connection } from '../../ws/connection.js';
import type { AcceptedOrigins } from './origins.js';

/** How an `auth` frame ended. */
export type AuthOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /**
       * Set when the signature is the device's, but for this origin (the one the request named), which
       * the server does not accept: a proxy without `--public-origin`, or a relaying server.
       */
      readonly wrongOrigin?: string | undefined;
      /** Set when the signature verified, but the operator disabled the account. */
      readonly disabled?: true | undefined;
    };

/** Distinct rejected origins logged at most (each once), so a flood of them cannot flood the log. */
const MAX_LOGGED_ORIGINS = 16;

/** Issues challenges and checks answers. */
export class ChallengeAuth {
  private readonly loggedOrigins = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly crypto: CryptoProvider,
    private readonly clock: Clock,
    private readonly origins: AcceptedOrigins,
    private readonly logger: Logger,
  ) {}

  /** Sends a fresh challenge on `conn`, replacing any outstanding one. */
  challenge(conn: Connection): void {
    conn.nonce = new Uint8Array(randomBytes(32));
    conn.send({ t: 'challenge', nonce: conn.nonce, serverTime: this.clock.now() });
  }

  /**
   * Checks an `auth` frame against the outstanding nonce and the accepted origins (the one the connection
   * named first); on success marks the connection authenticated. The nonce is consumed either way: the
   * caller sends a new challenge after a failure. A signature that verifies only for an origin this server
   * does not accept is reported as such, and logged once per origin; one for an account the operator
   * disabled, too.
   */
  async authenticate(conn: Connection, frame: FrameOf<'auth'>): Promise<AuthOutcome> {
    const nonce = conn.nonce;
    conn.nonce = undefined;
    if (conn.device !== undefined)
      throw new ApiError('INVALID_ARGUMENT', 'This connection is already authenticated.');
    const device = await this.store.getDevice(frame.account, frame.deviceId);
    if (nonce === undefined || device === undefined) return { ok: false };
    const signedFor = (origin: string) =>
      this.crypto.ed25519Verify(
        device.signingKey,
        authChallengeMessage({ nonce, account: frame.account, deviceId: frame.deviceId, origin }),
        frame.signature,
      );
    for (const origin of this.origins.inOrder(conn.origin)) {
      if (await signedFor(origin)) {
        if (await this.store.admin.isDisabled(frame.account)) return { ok: false, disabled: true };
        conn.authenticated({ account: frame.account, deviceId: frame.deviceId });
        return { ok: true };
      }
    }
    for (const origin of namedOrigins(conn.origin)) {
      if (!this.origins.has(origin) && (await signedFor(origin))) {
        this.logRejected(origin);
        return { ok: false, wrongOrigin: origin };
      }
    }
    return { ok: false };
  }

  private logRejected(origin: string): void {
    if (this.loggedOrigins.has(origin) || this.loggedOrigins.size >= MAX_LOGGED_ORIGINS) return;
    this.loggedOrigins.add(origin);
    this.logger.warn(
      { origin, accepted: this.origins.all },
      'refused a connection signed for an origin this server does not accept: behind a reverse proxy, ' +
        'set --public-origin (SOTTO_PUBLIC_ORIGIN) to the URL clients use; otherwise another server may ' +
        'be relaying this one',
    );
  }
}

/**
 * The origins a client may have signed, judging by the request: the one it named, and the same host with
 * the other scheme (a TLS-terminating proxy forwards `https://` clients over plain HTTP).
 */
function namedOrigins(named: string): string[] {
  if (named === '') return [];
  const other = named.startsWith('https://') ? `http://${named.slice(8)}` : `https://${named.slice(7)}`;
  return [named, other];
}
