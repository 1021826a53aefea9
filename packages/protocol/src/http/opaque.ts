/**
 * OPAQUE message strings as produced by `@serenity-kit/opaque` (base64url).
 */

import { WIRE_BOUNDS } from '../limits.js';
import { text } from '../schema/primitives.js';

/** An OPAQUE protocol message in @serenity-kit/opaque's base64url string form. */
export const opaqueMessage = text({
  min: 1,
  max: WIRE_BOUNDS.opaqueMessageChars,
  pattern: /^[A-Za-z0-9_-]+={0,2}$/,
  what: 'an OPAQUE message string',
});
