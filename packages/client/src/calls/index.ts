/** Calls: the state machine of one call, the device's call manager, and their types. */
export { Call } from './call.js';
export { callLogText } from './log.js';
export { CallManager, CONNECT_TIMEOUT_MS, RING_TIMEOUT_MS, STALE_OFFER_MS } from './manager.js';
export type {
  CallEvents,
  CallMedia,
  CallState,
  CallStateEvent,
  CallTimings,
  IceCandidateLine,
  StartCallOptions,
} from './types.js';
