/**
 * The WebSocket handler of `calls.ice`, merged into the router's table: the operator's STUN and TURN
 * servers, with TURN credentials minted for this request (ADR 0024). Counted per device.
 */
import type { Clock } from '../../clock.js';
import { ApiError } from '../../errors.js';
import type { RateLimit } from '../../shared/shared-state.js';
import type { Handlers } from '../../ws/router.js';
import { DEFAULT_TURN_TTL_SECONDS, type TurnSettings } from './turn-config.js';
import { iceServersFor } from './turn-credentials.js';

/** What the handler needs. */
export interface CallHandlerDeps {
  /** Undefined when the operator configured no `--turn-url`. */
  readonly turn: TurnSettings | undefined;
  readonly clock: Clock;
  /** `calls.ice` per device. */
  readonly iceLimit: RateLimit;
}

/** The handlers of `calls.*`. */
export function createCallHandlers(deps: CallHandlerDeps): Handlers {
  return {
    'calls.ice': async (conn, _device, f) => {
      if (!(await deps.iceLimit.take(conn.deviceKey))) throw new ApiError('RATE_LIMITED');
      const iceServers = iceServersFor(deps.turn, deps.clock.now());
      const ttlSeconds = deps.turn?.ttlSeconds ?? DEFAULT_TURN_TTL_SECONDS;
      conn.send({ t: 'calls.ice.result', id: f.id, iceServers, ttlSeconds });
    },
  };
}
