/**
 * Adding a device with the name and password alone (DESIGN §3, protocol §3 "New device"): OPAQUE login,
 * the backup opened with the key from the export key, the identity key checked against the one the server
 * announces, a new device certified and appended to a newer signed device list, and both sent with the
 * login ticket. A wrong password fails in OPAQUE (LOGIN_FAILED) before anything is sent.
 */

import * as opaque from '@serenity-kit/opaque';
import {
  type CryptoProvider,
  decodeBackupPayload,
  decodeDeviceList,
  decodePublicKey,
  encodeDeviceCertificate,
  encodeDeviceList,
  equalBytes,
  generateDeviceKeys,
  issueDeviceCertificate,
  KeyType,
  markSecret,
  openBackup,
  SottoError,
  signDeviceList,
  verifyDeviceList,
} from '@sotto/crypto';
import {
  accountDevicesPath,
  accountDevicesResponse,
  addDeviceRequest,
  addDeviceResponse,
  loginFinishRequest,
  loginFinishResponse,
  loginStartRequest,
  loginStartResponse,
  normalizeAccountName,
  ROUTES,
} from '@sotto/protocol';
import { backupKeyFromExportKey } from './backup-key.js';
import type { Http } from './http.js';
import { type Profile, profileOps } from './profile.js';
import { type ClientStore, del } from './store/store.js';
import type { Clock } from './types.js';

/** What {@link loginNewDevice} needs. */
export interface LoginDeps {
  readonly p: CryptoProvider;
  readonly store: ClientStore;
  readonly http: Http;
  readonly clock: Clock;
  readonly servers: readonly string[];
}

/** Logs in and enrolls this device. Throws LOGIN_FAILED, BACKUP_WRONG_KEY, UNTRUSTED_IDENTITY, DEVICE_LIST_REJECTED. */
export async function loginNewDevice(
  deps: LoginDeps,
  input: { name: string; password: string; deviceName?: string | undefined },
): Promise<Profile> {
  const { p, http, clock } = deps;
  const account = normalizeAccountName(input.name);
  await opaque.ready;
  const { clientLoginState, startLoginRequest } = opaque.client.startLogin({ password: input.password });
  const start = await http.post(
    ROUTES.loginStart,
    loginStartRequest,
    { account, startLoginRequest },
    loginStartResponse,
  );
  const finished = opaque.client.finishLogin({
    clientLoginState,
    loginResponse: start.loginResponse,
    password: input.password,
  });
  if (finished === undefined) throw new SottoError('LOGIN_FAILED');
  const login = await http.post(
    ROUTES.loginFinish,
    loginFinishRequest,
    { loginId: start.loginId, finishLoginRequest: finished.finishLoginRequest },
    loginFinishResponse,
  );

  const backupKey = await backupKeyFromExportKey(p, finished.exportKey);
  const payload = await decodeBackupPayload(
    p,
    await openBackup(p, login.backup, { accountName: account, key: { kind: 'raw', key: backupKey } }),
  );
  backupKey.fill(0);
  const identity = payload.identity;
  const announced = decodePublicKey(KeyType.identity, login.identityKey);
  if (payload.accountName !== account || !equalBytes(announced, identity.publicKey)) {
    throw new SottoError(
      'UNTRUSTED_IDENTITY',
      'The backup does not belong to the identity key the server announced.',
    );
  }

  // The current list, verified with the identity key we now hold; the new device gets the next free id.
  const dir = await http.get(accountDevicesPath(account), accountDevicesResponse);
  const current = decodeDeviceList(dir.deviceList);
  await verifyDeviceList(p, current, identity.publicKey);
  const deviceId = Math.max(0, ...current.devices.map((d) => d.deviceId)) + 1;
  const device = await generateDeviceKeys(p, deviceId);
  const now = clock.now();
  const certificate = await issueDeviceCertificate(p, identity, {
    accountName: account,
    deviceId,
    signingKey: device.signing.publicKey,
    dhKey: device.dh.publicKey,
    createdAt: now,
  });
  const list = await signDeviceList(p, identity, {
    accountName: account,
    version: current.version + 1,
    issuedAt: now,
    devices: [...current.devices, { deviceId, signingKey: device.signing.publicKey }],
  });
  const profile: Profile = markSecret({
    account,
    deviceId,
    identity,
    device,
    certificate,
    servers: deps.servers,
    createdAt: now,
    deviceName: input.deviceName,
  });
  // Stored first: if the answer is lost, the profile still matches what the server may have accepted.
  await deps.store.write(profileOps(profile));
  try {
    await http.post(
      ROUTES.devices,
      addDeviceRequest,
      {
        ticket: login.ticket,
        certificate: encodeDeviceCertificate(certificate),
        deviceList: encodeDeviceList(list),
      },
      addDeviceResponse,
    );
  } catch (err) {
    if (SottoError.is(err) && err.code !== 'NOT_CONNECTED') {
      await deps.store.write([del('meta', 'profile'), del('meta', 'counters')]);
    }
    throw err;
  }
  return profile;
}
