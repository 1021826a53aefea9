/**
 * Group conversation ids (ADR 0018): a group is the conversation `#<32 hex of its 16-byte id>`, so every
 * conversation-taking method (`send`, `history`, `markRead` …) tells a group from an account by the `#`.
 */

import { fromHex, SottoError, toHex } from '@sotto/crypto';
import { normalizeAccountName } from '@sotto/protocol';

/** Bytes of a group id (the MLS `group_id`). */
export const GROUP_ID_BYTES = 16;
const PATTERN = /^#[0-9a-f]{32}$/;

/** True when `conversation` names a group. */
export function isGroupConversation(conversation: string): boolean {
  return conversation.startsWith('#');
}

/** The conversation id of a group. */
export function groupConversation(groupId: Uint8Array): string {
  return `#${toHex(groupId)}`;
}

/** The group id of a `#<hex>` conversation (upper-case hex is accepted). Throws INVALID_ARGUMENT. */
export function parseGroupConversation(conversation: string): Uint8Array {
  const c = conversation.trim().toLowerCase();
  if (!PATTERN.test(c)) throw new SottoError('INVALID_ARGUMENT', 'A group is named #<32 hex digits>.');
  return fromHex(c.slice(1));
}

/** A conversation as given by a caller, normalized: a group id (`#…`, lower case) or an account name. */
export function normalizeConversation(conversation: string): string {
  return isGroupConversation(conversation.trim())
    ? groupConversation(parseGroupConversation(conversation))
    : normalizeAccountName(conversation);
}
