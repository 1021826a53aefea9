/**
 * This device as a session needs it: its certificate (what the peer will verify) and its own keys.
 */

import { equalBytes } from '../bytes.js';
import { SottoError } from '../errors.js';
import type { DeviceCertificate } from '../keys/certificate.js';
import type { DeviceKeys } from '../keys/identity.js';
import type { Party } from './party.js';

/** The local device: its certificate and the key pairs it certifies. */
export interface LocalDevice {
  readonly certificate: DeviceCertificate;
  readonly keys: DeviceKeys;
}

/** The party a device certificate describes. */
export function partyOf(cert: DeviceCertificate): Party {
  return {
    accountName: cert.accountName,
    deviceId: cert.deviceId,
    identityKey: cert.identityKey,
    signingKey: cert.signingKey,
    dhKey: cert.dhKey,
  };
}

/** The local party; throws INVALID_ARGUMENT when the certificate does not certify these keys. */
export function localParty(self: LocalDevice): Party {
  const cert = self.certificate;
  if (
    cert.deviceId !== self.keys.deviceId ||
    !equalBytes(cert.signingKey, self.keys.signing.publicKey) ||
    !equalBytes(cert.dhKey, self.keys.dh.publicKey)
  ) {
    throw new SottoError('INVALID_ARGUMENT', 'local device: certificate does not match the device keys');
  }
  return partyOf(cert);
}

/** True when both parties are the same device (same device signing or DH key). */
export function sameDevice(a: Party, b: Party): boolean {
  return equalBytes(a.signingKey, b.signingKey) || equalBytes(a.dhKey, b.dhKey);
}
