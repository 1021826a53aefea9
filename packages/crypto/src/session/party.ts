/**
 * One side of a session: the account and device a message is attributed to. It is what the device
 * certificate vouches for (DESIGN §3), and all of it is bound into the session's associated data and the
 * handshake transcript, so a message can never be accepted as coming from, or meant for, anyone else.
 */

import type { ByteReader, ByteWriter } from '../binary.js';
import { equalBytes } from '../bytes.js';
import { SottoError } from '../errors.js';
import { SIZES } from '../provider.js';

/** Longest account name in UTF-8 bytes (the same bound as the keys module's certificates). */
const MAX_ACCOUNT_NAME_BYTES = 256;

/** An account's device as a session sees it. All keys are raw public keys. */
export interface Party {
  /** The account name on its server. */
  readonly accountName: string;
  /** The device id within the account (u32). */
  readonly deviceId: number;
  /** The account identity key (Ed25519); safety numbers are computed from it. */
  readonly identityKey: Uint8Array;
  /** The device signing key (Ed25519), certified by the identity key. */
  readonly signingKey: Uint8Array;
  /** The device DH key (X25519), certified by the identity key; it plays IK in PQXDH. */
  readonly dhKey: Uint8Array;
}

/** Appends the canonical encoding of a party (used in AD, transcripts and session state). */
export function writeParty(w: ByteWriter, party: Party): void {
  w.string(party.accountName)
    .u32(party.deviceId)
    .raw(party.identityKey)
    .raw(party.signingKey)
    .raw(party.dhKey);
}

/** Reads a party written by {@link writeParty}; throws MALFORMED_ENCODING on anything out of shape. */
export function readParty(r: ByteReader): Party {
  const accountName = r.string(MAX_ACCOUNT_NAME_BYTES);
  if (accountName.length === 0) throw new SottoError('MALFORMED_ENCODING', 'party: empty account name');
  return {
    accountName,
    deviceId: r.u32(),
    identityKey: r.raw(SIZES.ed25519PublicKey),
    signingKey: r.raw(SIZES.ed25519PublicKey),
    dhKey: r.raw(SIZES.x25519PublicKey),
  };
}

/** True when both describe the same account and device with the same keys. */
export function sameParty(a: Party, b: Party): boolean {
  return (
    a.accountName === b.accountName &&
    a.deviceId === b.deviceId &&
    equalBytes(a.identityKey, b.identityKey) &&
    equalBytes(a.signingKey, b.signingKey) &&
    equalBytes(a.dhKey, b.dhKey)
  );
}
