/**
 * Group frames (ADR 0018): the server is the MLS delivery service. It orders each group's commits (one
 * per epoch), keeps a routing roster of member devices, and fans commits, Welcomes and application
 * messages out to those devices as envelopes. It never parses MLS: commits, Welcomes and message bodies
 * are opaque bytes, and the MLS tree that members verify decides membership, not the roster.
 *
 * Epochs: a group is created at epoch 0. The commit sent at epoch `e` moves the group to `e + 1`.
 */

import { WIRE_BOUNDS } from '../limits.js';
import type { Infer } from '../schema/core.js';
import { array, frame, object } from '../schema/object.js';
import { bool, bytes, oneOf, optional, uint } from '../schema/primitives.js';
import { deviceAddress, envelopeId, requestId, timestampMs } from './common.js';

/** Length of a group id: 16 random bytes chosen by the creating client. */
export const GROUP_ID_BYTES = 16;

/** A group id (16 random bytes, the MLS `group_id`). */
export const groupId = bytes({ length: GROUP_ID_BYTES });

/** An MLS epoch (u53: epochs count commits, which never come near 2^53). */
export const epoch = uint();

/** An MLS ciphersuite code point (RFC 9420 §17.1, u16; private-use ones such as X-Wing's included). */
export const ciphersuite = uint({ min: 1, max: 0xffff });

/** An encoded MLS commit (`MLSMessage` carrying a Commit), opaque to the server. */
export const commitBytes = bytes({ min: 1, max: WIRE_BOUNDS.groupCommitBytes });
/** An encoded MLS Welcome (`MLSMessage` carrying a Welcome), opaque to the server. */
export const welcomeBytes = bytes({ min: 1, max: WIRE_BOUNDS.groupWelcomeBytes });
/** An encoded MLS application message (`MLSMessage` carrying a PrivateMessage), opaque to the server. */
export const groupMessageBytes = bytes({ min: 1, max: WIRE_BOUNDS.groupMessageBytes });

const devices = array(deviceAddress, { max: WIRE_BOUNDS.groupDevices });

/**
 * Client → server: create group `groupId` with the authenticated device as its only roster member, at
 * epoch 0. `suite` is recorded, not interpreted. Answer: `ok`, or GROUP_EXISTS.
 */
export const groupsCreateFrame = frame('groups.create', { id: requestId, groupId, suite: ciphersuite });

/**
 * Client → server: the commit the authenticated device (a roster member) made at `epoch`. Accepted only
 * when `epoch` is the group's current epoch, else STALE_EPOCH carrying the current `epoch` (fetch the
 * missed commits with `groups.commits`, process them, then rebuild the commit). In one transaction the
 * server logs the commit, removes `removed` and adds `added` to the roster, stores one commit envelope for
 * every device of the roster before the commit (removed ones included) except the sender, and one Welcome
 * envelope for every added device (a device whose mailbox is full is skipped). `welcome` is required
 * exactly when `added` is not empty, and no device may be listed twice (INVALID_ARGUMENT). Each added
 * device must be a current device of the sender's own account or of an accepted contact that does not
 * block it (NOT_A_CONTACT, BLOCKED, DEVICE_NOT_FOUND), and not already on the roster (INVALID_ARGUMENT);
 * removed devices that are not on the roster are ignored. GROUP_TOO_LARGE when the roster would exceed
 * `maxGroupDevices`; GROUP_NOT_FOUND, NOT_A_GROUP_MEMBER. May be a large frame (up to
 * `maxGroupFrameBytes`). Answer: `groups.commit.result`.
 */
export const groupsCommitFrame = frame('groups.commit', {
  id: requestId,
  groupId,
  epoch,
  commit: commitBytes,
  welcome: optional(welcomeBytes),
  added: devices,
  removed: devices,
});

/** Server → client: answer to `groups.commit`: the group's new `epoch` (the request's plus one). */
export const groupsCommitResultFrame = frame('groups.commit.result', {
  id: requestId,
  epoch,
  serverTime: timestampMs,
});

/**
 * Client → server: send one MLS application message to every other device on the group's roster. The body
 * is stored once, with one small envelope reference per recipient device, durably before the answer; a
 * device whose mailbox is full is skipped. Refused with NOT_A_GROUP_MEMBER (the device is not on the
 * roster), STALE_EPOCH (with the current `epoch`), GROUP_NOT_FOUND or RATE_LIMITED. Answer: `groups.sent`.
 */
export const groupsSendFrame = frame('groups.send', {
  id: requestId,
  groupId,
  epoch,
  body: groupMessageBytes,
});

/** Server → client: answer to `groups.send`; every recipient's envelope has this id. */
export const groupsSentFrame = frame('groups.sent', { id: requestId, envelopeId, serverTime: timestampMs });

/**
 * Client → server: the group's logged commits sent at epochs `since` and later, oldest first, at most
 * `limit` (and at most `groupCommitsPerPage`, and fewer when they are large). Only roster members may ask;
 * the log starts, for each device, at the commit that added it. Answer: `groups.commits.result`.
 */
export const groupsCommitsFrame = frame('groups.commits', {
  id: requestId,
  groupId,
  since: epoch,
  limit: optional(uint({ min: 1, max: WIRE_BOUNDS.commitsPerPage })),
});

/**
 * One logged commit: `epoch` is the epoch it was sent at. `welcome` is present only on the commit that
 * added the requesting device.
 */
export const loggedCommit = object({ epoch, commit: commitBytes, welcome: optional(welcomeBytes) });

/** One logged commit. */
export type LoggedCommit = Infer<typeof loggedCommit>;

/** Server → client: answer to `groups.commits`; `more` when later commits exist (ask again from there). */
export const groupsCommitsResultFrame = frame('groups.commits.result', {
  id: requestId,
  commits: array(loggedCommit, { max: WIRE_BOUNDS.commitsPerPage }),
  more: bool(),
});

/**
 * Client → server: take the authenticated device off the group's routing roster at once (it gets nothing
 * more of the group); the remaining members then commit its MLS removal. The last device leaving deletes
 * the group. Answer: `ok`, or NOT_A_GROUP_MEMBER, GROUP_NOT_FOUND.
 */
export const groupsLeaveFrame = frame('groups.leave', { id: requestId, groupId });

/** What a group envelope carries. */
export const groupEnvelopeKind = oneOf(['commit', 'welcome', 'message'] as const);

/** What a group envelope carries. */
export type GroupEnvelopeKind = Infer<typeof groupEnvelopeKind>;

/**
 * The group part of an `envelope`: group `id`, what the body is, and its epoch. A `commit` and a `message`
 * carry the epoch they were sent at; a `welcome` carries the epoch it joins (its commit's plus one).
 */
export const envelopeGroup = object({ id: groupId, kind: groupEnvelopeKind, epoch });

/** The group part of an `envelope`. */
export type EnvelopeGroup = Infer<typeof envelopeGroup>;
