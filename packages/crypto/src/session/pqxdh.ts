/**
 * The PQXDH key agreement (Signal, PQXDH rev. 2, §3.3 and §3.4; X3DH §3.3). The device's certified X25519
 * key plays IK:
 *
 *   DH1 = DH(IK_A, SPK_B)   DH2 = DH(EK_A, IK_B)   DH3 = DH(EK_A, SPK_B)   DH4 = DH(EK_A, OPK_B) (optional)
 *   (CT, SS) = ML-KEM-768.Encaps(PQPK_B)
 *   SK = HKDF(salt = 0^32, ikm = F || DH1 || DH2 || DH3 [|| DH4] || SS, info = label || transcript hash)
 *
 * F is 32 0xFF bytes (X3DH §2.2: it separates the first 32 bytes from any X25519 output, for XEdDSA-style
 * cross-protocol safety). The info carries a hash of the handshake transcript (both parties, the prekeys
 * used with their public keys, EK_A and CT), so the session key itself is bound to who talks to whom and
 * to the exact KEM public key (the KEM re-encapsulation concern in PQXDH's security considerations).
 */

import { ByteWriter } from '../binary.js';
import { concatBytes, wipe } from '../bytes.js';
import { LABELS } from '../labels.js';
import type { CryptoProvider } from '../provider.js';
import { encodeParties } from './ad.js';
import type { Party } from './party.js';

/** X3DH §2.2 / PQXDH §2.2: 32 0xFF bytes for curve25519. */
const F = new Uint8Array(32).fill(0xff);
const ZERO_SALT = new Uint8Array(32);

/** Everything both sides know about a handshake, in the order it is hashed. */
export interface Transcript {
  readonly initiator: Party;
  readonly responder: Party;
  readonly signedPrekey: Uint8Array;
  readonly kemPrekey: Uint8Array;
  readonly oneTimePrekey: Uint8Array | undefined;
  /** The prekey-message prefix: kind, version, certificate, prekey ids, EK_A and CT. */
  readonly handshakePrefix: Uint8Array;
}

/** SHA-256 over the labelled transcript. */
export async function transcriptHash(p: CryptoProvider, t: Transcript): Promise<Uint8Array> {
  const w = new ByteWriter(2048 + t.kemPrekey.length + t.handshakePrefix.length);
  w.string(LABELS.sessionTranscript);
  w.bytes(encodeParties(t.initiator, t.responder));
  w.bytes(t.signedPrekey)
    .bytes(t.kemPrekey)
    .bytes(t.oneTimePrekey ?? new Uint8Array(0));
  w.bytes(t.handshakePrefix);
  return p.sha256(w.finish());
}

/** PQXDH §3.3 KDF: SK from the DH outputs (in order DH1..DH4), the KEM shared secret and the transcript. */
export async function deriveSharedSecret(
  p: CryptoProvider,
  dhOutputs: readonly Uint8Array[],
  kemSecret: Uint8Array,
  transcript: Uint8Array,
): Promise<Uint8Array> {
  const material = concatBytes(F, ...dhOutputs, kemSecret);
  const info = new ByteWriter(96).string(LABELS.sessionPqxdh).raw(transcript).finish();
  try {
    return await p.hkdfSha256(material, ZERO_SALT, info, 32);
  } finally {
    wipe(material);
    for (const d of dhOutputs) wipe(d);
    wipe(kemSecret);
  }
}
