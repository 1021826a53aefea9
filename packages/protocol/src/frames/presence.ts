/**
 * Presence frames: set one's own presence; pushes of accepted contacts' presence.
 */

import { WIRE_BOUNDS } from '../limits.js';
import { accountName } from '../names.js';
import type { Infer } from '../schema/core.js';
import { frame } from '../schema/object.js';
import { oneOf, optional } from '../schema/primitives.js';
import { displayText, requestId, timestampMs } from './common.js';

/** A presence state. */
export const presenceState = oneOf(['online', 'away', 'busy', 'offline'] as const);

/** A presence state. */
export type PresenceState = Infer<typeof presenceState>;

const statusText = displayText(WIRE_BOUNDS.presenceTextChars);

/** Client → server: set the account's presence and optional status text. Answer: `ok`. */
export const presenceSetFrame = frame('presence.set', {
  id: requestId,
  state: presenceState,
  text: optional(statusText),
});

/**
 * Server → client push, only for accepted contacts: `account`'s presence. `lastSeen` (ms since the
 * epoch) is set when the state is `offline`.
 */
export const presenceFrame = frame('presence', {
  account: accountName,
  state: presenceState,
  text: optional(statusText),
  lastSeen: optional(timestampMs),
});
