/**
 * Contact frames (like XMPP subscriptions): request, accept, decline, remove, block, unblock, list,
 * and the push that keeps both parties (and one's own other devices) in sync.
 */

import { WIRE_BOUNDS } from '../limits.js';
import { accountName } from '../names.js';
import type { Infer } from '../schema/core.js';
import { array, frame, object } from '../schema/object.js';
import { oneOf } from '../schema/primitives.js';
import { requestId } from './common.js';

/**
 * The state of a contact entry as seen by its owner: `outgoing` (I asked), `incoming` (they asked),
 * `accepted` (both see presence and may message), `blocked` (I block them), `none` (no entry; only
 * in events, after remove/decline/unblock).
 */
export const contactState = oneOf(['none', 'outgoing', 'incoming', 'accepted', 'blocked'] as const);

/** The state of a contact entry. */
export type ContactState = Infer<typeof contactState>;

const target = { id: requestId, account: accountName };

/** Client → server: ask `account` to become a contact (BLOCKED if they block us). Answer: `ok`. */
export const contactsRequestFrame = frame('contacts.request', target);
/** Client → server: accept `account`'s pending request. Answer: `ok`. */
export const contactsAcceptFrame = frame('contacts.accept', target);
/** Client → server: decline `account`'s pending request. Answer: `ok`. */
export const contactsDeclineFrame = frame('contacts.decline', target);
/** Client → server: end the contact relationship (both sides lose presence). Answer: `ok`. */
export const contactsRemoveFrame = frame('contacts.remove', target);
/** Client → server: block `account` (their requests and messages are refused with BLOCKED). Answer: `ok`. */
export const contactsBlockFrame = frame('contacts.block', target);
/** Client → server: lift a block. Answer: `ok`. */
export const contactsUnblockFrame = frame('contacts.unblock', target);

/** Client → server: list the authenticated account's contact entries. */
export const contactsListFrame = frame('contacts.list', { id: requestId });

/** One contact entry. */
export const contactEntry = object({ account: accountName, state: contactState });

/** One contact entry. */
export type ContactEntry = Infer<typeof contactEntry>;

/** Server → client: answer to `contacts.list`. */
export const contactsListResultFrame = frame('contacts.list.result', {
  id: requestId,
  contacts: array(contactEntry, { max: WIRE_BOUNDS.contacts }),
});

/** What happened to a contact entry. */
export const contactEventKind = oneOf([
  'request',
  'accept',
  'decline',
  'remove',
  'block',
  'unblock',
] as const);

/**
 * Server → client push: the entry for `account` changed by `kind` (done by either party; own other
 * devices get their own account's actions too). `state` is the entry's new state for the receiver.
 * A blocked party is not told about the block; it learns it from BLOCKED errors.
 */
export const contactsEventFrame = frame('contacts.event', {
  kind: contactEventKind,
  account: accountName,
  state: contactState,
});
