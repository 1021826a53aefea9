/**
 * Connection authentication (DESIGN §3): every connection gets a fresh 32-byte nonce; the device signs
 * `authChallengeMessage(nonce, account, deviceId, origin)` with its device signing key (from the account's
 * identity-signed device list). The nonce is single use, so a recorded signature never opens another
 * connection; the database holds only public keys, so nothing in it logs anyone in.
 */
import { randomBytes } from 'node:crypto';
import type { CryptoProvider } from '@sotto/crypto';
import { authChallengeMessage, type FrameOf } from '@sotto/protocol';
import type { Clock } from '../../clock.js';
import { ApiError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import type { Connection } from '../../ws/connection.js';

/** Issues challenges and checks answers. */
export class ChallengeAuth {
  constructor(
    private readonly store: Store,
    private readonly crypto: CryptoProvider,
    private readonly clock: Clock,
  ) {}

  /** Sends a fresh challenge on `conn`, replacing any outstanding one. */
  challenge(conn: Connection): void {
    conn.nonce = new Uint8Array(randomBytes(32));
    conn.send({ t: 'challenge', nonce: conn.nonce, serverTime: this.clock.now() });
  }

  /**
   * Checks an `auth` frame against the outstanding nonce; on success marks the connection authenticated
   * and returns true. The nonce is consumed either way: the caller sends a new challenge after a failure.
   */
  async authenticate(conn: Connection, frame: FrameOf<'auth'>): Promise<boolean> {
    const nonce = conn.nonce;
    conn.nonce = undefined;
    if (conn.device !== undefined)
      throw new ApiError('INVALID_ARGUMENT', 'This connection is already authenticated.');
    const device = await this.store.getDevice(frame.account, frame.deviceId);
    let ok = false;
    if (nonce !== undefined && device !== undefined) {
      const message = authChallengeMessage({
        nonce,
        account: frame.account,
        deviceId: frame.deviceId,
        origin: conn.origin,
      });
      ok = await this.crypto.ed25519Verify(device.signingKey, message, frame.signature);
    }
    if (ok) conn.authenticated({ account: frame.account, deviceId: frame.deviceId });
    return ok;
  }
}
