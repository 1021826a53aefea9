/**
 * Associated data of a session (X3DH §3.3 AD = Encode(IK_A) || Encode(IK_B), extended per DESIGN §4).
 * It binds the protocol version, both parties (account names, device ids, identity keys, device signing and
 * DH keys) and the direction, so a first message re-routed to a third party fails (no unknown key share)
 * and a party's own ciphertext reflected back fails (its direction label differs). Computed once per
 * session, never per message.
 */

import { ByteWriter } from '../binary.js';
import { LABELS, PROTOCOL_VERSION } from '../labels.js';
import { type Party, writeParty } from './party.js';

/** Which side sent a message. */
export type Direction = 'initiator-to-responder' | 'responder-to-initiator';

/** Canonical encoding of both parties: version, initiator, responder. Shared by AD and the transcript. */
export function encodeParties(initiator: Party, responder: Party): Uint8Array {
  const w = new ByteWriter(512);
  w.u8(PROTOCOL_VERSION);
  writeParty(w, initiator);
  writeParty(w, responder);
  return w.finish();
}

/** The session AD for messages travelling in `direction`. */
export function sessionAd(initiator: Party, responder: Party, direction: Direction): Uint8Array {
  const label =
    direction === 'initiator-to-responder'
      ? LABELS.sessionAdInitiatorToResponder
      : LABELS.sessionAdResponderToInitiator;
  const w = new ByteWriter(640);
  w.string(label).bytes(encodeParties(initiator, responder));
  return w.finish();
}
