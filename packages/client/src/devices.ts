/**
 * This account's devices: listed from the verified device list, and revoked by publishing a newer list,
 * signed by the identity key, that leaves the device out.
 */

import { encodeDeviceList, SottoError, signDeviceList } from '@sotto/crypto';
import type { Ctx } from './context.js';
import { loadDeviceNames, ownDeviceName } from './device-names.js';
import { refreshDevices, storedDevices } from './directory.js';
import type { DeviceInfo } from './types.js';

/** The account's devices (fetched again when online). */
export async function listOwnDevices(ctx: Ctx, online: boolean): Promise<DeviceInfo[]> {
  const d = online
    ? await refreshDevices(ctx, ctx.profile.account)
    : await storedDevices(ctx, ctx.profile.account);
  const { names } = await loadDeviceNames(ctx.store);
  names.set(ctx.profile.deviceId, (await ownDeviceName(ctx)) ?? '');
  const named = (id: number) => {
    const name = names.get(id);
    return name === undefined || name === '' ? {} : { name };
  };
  if (d === undefined)
    return [
      {
        deviceId: ctx.profile.deviceId,
        current: true,
        certified: true,
        createdAt: ctx.profile.certificate.createdAt,
        ...named(ctx.profile.deviceId),
      },
    ];
  return d.list.devices.map((e) => {
    const cert = d.certified.get(e.deviceId);
    return {
      deviceId: e.deviceId,
      current: e.deviceId === ctx.profile.deviceId,
      certified: cert !== undefined,
      createdAt: cert?.createdAt,
      ...named(e.deviceId),
    };
  });
}

/** Revokes `deviceId`. Throws INVALID_ARGUMENT (this device), DEVICE_NOT_FOUND, NOT_CONNECTED. */
export async function revokeOwnDevice(ctx: Ctx, deviceId: number): Promise<void> {
  if (deviceId === ctx.profile.deviceId) {
    throw new SottoError('INVALID_ARGUMENT', 'To sign this device out, log out (which revokes it).');
  }
  await publishWithout(ctx, deviceId);
}

/**
 * Signs this device out: revokes it with a list that leaves it out when another device remains; `revoked:
 * false` (and nothing changes) when it is the only one. Throws NOT_CONNECTED.
 */
export async function logoutDevice(ctx: Ctx): Promise<{ revoked: boolean }> {
  const current = await refreshDevices(ctx, ctx.profile.account);
  if (!current.list.devices.some((d) => d.deviceId !== ctx.profile.deviceId)) return { revoked: false };
  await publishWithout(ctx, ctx.profile.deviceId, { refetch: false });
  return { revoked: true };
}

/** Publishes a new signed device list without `deviceId` (DEVICE_NOT_FOUND when it is not listed). */
async function publishWithout(ctx: Ctx, deviceId: number, options = { refetch: true }): Promise<void> {
  const current = await refreshDevices(ctx, ctx.profile.account);
  if (!current.list.devices.some((d) => d.deviceId === deviceId)) throw new SottoError('DEVICE_NOT_FOUND');
  const list = await signDeviceList(ctx.p, ctx.profile.identity, {
    accountName: ctx.profile.account,
    version: current.list.version + 1,
    issuedAt: ctx.clock.now(),
    devices: current.list.devices.filter((d) => d.deviceId !== deviceId),
  });
  await ctx.request({ t: 'devices.revoke', deviceId, deviceList: encodeDeviceList(list) });
  if (options.refetch) await refreshDevices(ctx, ctx.profile.account);
}
