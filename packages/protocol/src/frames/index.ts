/**
 * The registry of WebSocket frame schemas, the `Frame` union inferred from them, and which side may
 * send each type.
 */

import type { Infer } from '../schema/core.js';
import { authFrame, challengeFrame } from './auth.js';
import { backupPutFrame } from './backup.js';
import { callsIceFrame, callsIceResultFrame } from './calls.js';
import {
  contactsAcceptFrame,
  contactsBlockFrame,
  contactsDeclineFrame,
  contactsEventFrame,
  contactsListFrame,
  contactsListResultFrame,
  contactsRemoveFrame,
  contactsRequestFrame,
  contactsUnblockFrame,
} from './contacts.js';
import {
  devicesChangedFrame,
  devicesGetFrame,
  devicesGetResultFrame,
  devicesPublishFrame,
  devicesRevokeFrame,
} from './devices.js';
import { filesAuthorizeFrame, filesAuthorizeResultFrame, filesDeleteFrame } from './files.js';
import {
  groupsCommitFrame,
  groupsCommitResultFrame,
  groupsCommitsFrame,
  groupsCommitsResultFrame,
  groupsCreateFrame,
  groupsLeaveFrame,
  groupsSendFrame,
  groupsSentFrame,
} from './groups.js';
import {
  keysBundlesFrame,
  keysBundlesResultFrame,
  keysCountFrame,
  keysCountResultFrame,
  keysLowFrame,
  keysUploadFrame,
} from './keys.js';
import { errorFrame, okFrame, pingFrame, pongFrame } from './misc.js';
import {
  mlsKeysClaimFrame,
  mlsKeysClaimResultFrame,
  mlsKeysCountFrame,
  mlsKeysCountResultFrame,
  mlsKeysLowFrame,
  mlsKeysUploadFrame,
} from './mls-keys.js';
import {
  notifyEmailGetFrame,
  notifyEmailRemoveFrame,
  notifyEmailSetFrame,
  notifyEmailStateFrame,
  notifyEmailVerifyFrame,
} from './notify.js';
import { presenceFrame, presenceSetFrame } from './presence.js';
import { ackFrame, envelopeFrame, sendFrame, sentFrame } from './relay.js';

/** Frames a client sends to the server. */
export const CLIENT_FRAMES = {
  auth: authFrame,
  'keys.upload': keysUploadFrame,
  'keys.count': keysCountFrame,
  'keys.bundles': keysBundlesFrame,
  'devices.get': devicesGetFrame,
  'devices.publish': devicesPublishFrame,
  'devices.revoke': devicesRevokeFrame,
  'backup.put': backupPutFrame,
  'contacts.request': contactsRequestFrame,
  'contacts.accept': contactsAcceptFrame,
  'contacts.decline': contactsDeclineFrame,
  'contacts.remove': contactsRemoveFrame,
  'contacts.block': contactsBlockFrame,
  'contacts.unblock': contactsUnblockFrame,
  'contacts.list': contactsListFrame,
  'presence.set': presenceSetFrame,
  send: sendFrame,
  ack: ackFrame,
  'files.authorize': filesAuthorizeFrame,
  'files.delete': filesDeleteFrame,
  'mls.keys.upload': mlsKeysUploadFrame,
  'mls.keys.count': mlsKeysCountFrame,
  'mls.keys.claim': mlsKeysClaimFrame,
  'groups.create': groupsCreateFrame,
  'groups.commit': groupsCommitFrame,
  'groups.send': groupsSendFrame,
  'groups.commits': groupsCommitsFrame,
  'groups.leave': groupsLeaveFrame,
  'notify.email.get': notifyEmailGetFrame,
  'notify.email.set': notifyEmailSetFrame,
  'notify.email.verify': notifyEmailVerifyFrame,
  'notify.email.remove': notifyEmailRemoveFrame,
  'calls.ice': callsIceFrame,
  ping: pingFrame,
  pong: pongFrame,
} as const;

/**
 * Client frames that may exceed `maxFrameBytes` (up to `maxGroupFrameBytes`) once the connection is
 * authenticated: they carry MLS data whose size grows with the group (ADR 0018).
 */
export const LARGE_CLIENT_FRAMES: ReadonlySet<ClientFrameType> = new Set([
  'groups.commit',
  'mls.keys.upload',
]);

/** Frames the server sends to a client (answers and pushes). */
export const SERVER_FRAMES = {
  challenge: challengeFrame,
  ok: okFrame,
  error: errorFrame,
  'keys.count.result': keysCountResultFrame,
  'keys.bundles.result': keysBundlesResultFrame,
  'keys.low': keysLowFrame,
  'devices.get.result': devicesGetResultFrame,
  'devices.changed': devicesChangedFrame,
  'contacts.list.result': contactsListResultFrame,
  'contacts.event': contactsEventFrame,
  presence: presenceFrame,
  sent: sentFrame,
  envelope: envelopeFrame,
  'files.authorize.result': filesAuthorizeResultFrame,
  'mls.keys.count.result': mlsKeysCountResultFrame,
  'mls.keys.claim.result': mlsKeysClaimResultFrame,
  'mls.keys.low': mlsKeysLowFrame,
  'groups.commit.result': groupsCommitResultFrame,
  'groups.sent': groupsSentFrame,
  'groups.commits.result': groupsCommitsResultFrame,
  'notify.email.state': notifyEmailStateFrame,
  'calls.ice.result': callsIceResultFrame,
  ping: pingFrame,
  pong: pongFrame,
} as const;

/** Every frame schema by its type `t`. */
export const FRAME_SCHEMAS = { ...CLIENT_FRAMES, ...SERVER_FRAMES } as const;

/** A frame type (the value of `t`). */
export type FrameType = keyof typeof FRAME_SCHEMAS;
/** A type a client may send. */
export type ClientFrameType = keyof typeof CLIENT_FRAMES;
/** A type the server may send. */
export type ServerFrameType = keyof typeof SERVER_FRAMES;

/** The frame of type `T`, inferred from its schema. */
export type FrameOf<T extends FrameType> = Infer<(typeof FRAME_SCHEMAS)[T]>;

/** Any frame: a union discriminated by `t`. */
export type Frame = { [T in FrameType]: FrameOf<T> }[FrameType];
/** Any frame a client sends. */
export type ClientFrame = { [T in ClientFrameType]: FrameOf<T> }[ClientFrameType];
/** Any frame the server sends. */
export type ServerFrame = { [T in ServerFrameType]: FrameOf<T> }[ServerFrameType];

/** Every frame type, in registry order. */
export const FRAME_TYPES = Object.keys(FRAME_SCHEMAS) as FrameType[];

/** True when `t` is a frame type of this protocol version. */
export function isFrameType(t: unknown): t is FrameType {
  return typeof t === 'string' && Object.hasOwn(FRAME_SCHEMAS, t);
}

export * from './auth.js';
export * from './backup.js';
export * from './calls.js';
export * from './common.js';
export * from './contacts.js';
export * from './devices.js';
export * from './files.js';
export * from './groups.js';
export * from './keys.js';
export * from './misc.js';
export * from './mls-keys.js';
export * from './notify.js';
export * from './presence.js';
export * from './relay.js';
