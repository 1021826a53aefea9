/**
 * Registration (DESIGN §3, protocol §3 "Registration"): keys are generated on the device with progress
 * reported, OPAQUE registration runs (the password never leaves the device), the identity key backup is
 * sealed under a key from the OPAQUE export key, and the account, its first device's certificate, the
 * signed device list and the backup are uploaded together. The profile is stored as soon as the server
 * accepted the account (were it lost, logging in restores the identity key from the backup).
 */

import * as opaque from '@serenity-kit/opaque';
import {
  type CryptoProvider,
  encodeBackupPayload,
  encodeDeviceCertificate,
  encodeDeviceList,
  encodePublicKey,
  generateDeviceKeys,
  generateIdentityKeyPair,
  issueDeviceCertificate,
  KeyType,
  markSecret,
  SottoError,
  sealBackup,
  signDeviceList,
} from '@sotto/crypto';
import {
  inviteToken,
  normalizeAccountName,
  ROUTES,
  registerFinishRequest,
  registerFinishResponse,
  registerStartRequest,
  registerStartResponse,
} from '@sotto/protocol';
import { backupKeyFromExportKey } from './backup-key.js';
import type { Http } from './http.js';
import { checkPassword } from './password.js';
import { type Profile, profileOps } from './profile.js';
import type { ClientStore } from './store/store.js';
import type { Clock, PasswordStrength, ProgressEvent } from './types.js';

/** The first device of an account. */
export const FIRST_DEVICE_ID = 1;

/** What {@link registerAccount} needs. */
export interface RegisterDeps {
  readonly p: CryptoProvider;
  readonly store: ClientStore;
  readonly http: Http;
  readonly clock: Clock;
  readonly servers: readonly string[];
  readonly progress: (e: ProgressEvent) => void;
}

/**
 * The `invite` field of the registration requests: absent without an invite; the trimmed text otherwise.
 * Throws INVALID_ARGUMENT for text that cannot be an invite (checked before any key is generated).
 */
function inviteOf(text: string | undefined): { invite?: string } {
  if (text === undefined) return {};
  const invite = text.trim();
  try {
    return { invite: inviteToken.check(invite) };
  } catch {
    throw new SottoError('INVALID_ARGUMENT', 'An invite is 16 to 64 letters, digits, "-" and "_".');
  }
}

/** Steps of a registration: six here, then `prekeys` and `done` once connected (see the client). */
export const REGISTER_STEPS = 8;

/**
 * Registers `name`, with `invite` when given (servers in `token` registration mode need one). Throws
 * INVALID_ACCOUNT_NAME, INVALID_ARGUMENT (an invite that cannot be one), WEAK_PASSWORD (unless
 * `allowWeak`), ACCOUNT_EXISTS, REGISTRATION_CLOSED, INVITE_INVALID, RATE_LIMITED, NOT_CONNECTED. Returns
 * the stored profile and the password's strength.
 */
export async function registerAccount(
  deps: RegisterDeps,
  input: {
    name: string;
    password: string;
    allowWeak: boolean;
    deviceName?: string | undefined;
    invite?: string | undefined;
  },
): Promise<{ profile: Profile; strength: PasswordStrength }> {
  const { p, http, clock } = deps;
  const step = (s: ProgressEvent['step'], done: number) =>
    deps.progress({ step: s, done, total: REGISTER_STEPS });
  const account = normalizeAccountName(input.name);
  const invite = inviteOf(input.invite);
  const strength = checkPassword(input.password, [account]);
  if (strength.weak && !input.allowWeak) throw new SottoError('WEAK_PASSWORD');
  step('password', 1);

  const identity = await generateIdentityKeyPair(p);
  step('identity', 2);
  const device = await generateDeviceKeys(p, FIRST_DEVICE_ID);
  const now = clock.now();
  const certificate = await issueDeviceCertificate(p, identity, {
    accountName: account,
    deviceId: FIRST_DEVICE_ID,
    signingKey: device.signing.publicKey,
    dhKey: device.dh.publicKey,
    createdAt: now,
  });
  const list = await signDeviceList(p, identity, {
    accountName: account,
    version: 1,
    issuedAt: now,
    devices: [{ deviceId: FIRST_DEVICE_ID, signingKey: device.signing.publicKey }],
  });
  step('device', 3);

  await opaque.ready;
  const { clientRegistrationState, registrationRequest } = opaque.client.startRegistration({
    password: input.password,
  });
  const start = await http.post(
    ROUTES.registerStart,
    registerStartRequest,
    { account, registrationRequest, ...invite },
    registerStartResponse,
  );
  const { registrationRecord, exportKey } = opaque.client.finishRegistration({
    clientRegistrationState,
    registrationResponse: start.registrationResponse,
    password: input.password,
  });
  step('opaque', 4);

  const backupKey = await backupKeyFromExportKey(p, exportKey);
  const backup = await sealBackup(p, {
    accountName: account,
    payload: encodeBackupPayload({ identity, accountName: account, createdAt: now }),
    key: { kind: 'raw', key: backupKey },
  });
  backupKey.fill(0);
  step('backup', 5);

  const profile: Profile = markSecret({
    account,
    deviceId: FIRST_DEVICE_ID,
    identity,
    device,
    certificate,
    servers: deps.servers,
    createdAt: now,
    deviceName: input.deviceName,
  });
  await http.post(
    ROUTES.registerFinish,
    registerFinishRequest,
    {
      account,
      registrationRecord,
      identityKey: encodePublicKey(KeyType.identity, identity.publicKey),
      deviceCertificate: encodeDeviceCertificate(certificate),
      deviceList: encodeDeviceList(list),
      backup,
      ...invite,
    },
    registerFinishResponse,
  );
  await deps.store.write(profileOps(profile));
  step('upload', 6);
  return { profile, strength };
}
