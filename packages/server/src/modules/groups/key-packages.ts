/**
 * MLS KeyPackages (ADR 0018): each device keeps a pool of one-time KeyPackages and one last-resort
 * KeyPackage on the server, like its prekeys. The server checks sizes only; a member that claims a
 * KeyPackage verifies it (signature, credential against the owner's signed device list) before adding the
 * device. A claim takes one KeyPackage per device atomically and tells the owner when its pool runs low.
 */
import type { ClaimedKeyPackage, DeviceAddress } from '@sotto/protocol';
import { ApiError } from '../../errors.js';
import type { KeyPackageCount } from '../../store/group-records.js';
import type { Store } from '../../store/store.js';
import { addressKey, checkReachable } from './contact-policy.js';
import type { GroupMetrics } from './group-metrics.js';

/** The KeyPackage limits. */
export interface KeyPackageLimits {
  readonly keyPackageMaxStored: number;
  readonly keyPackageLowWaterMark: number;
}

/** Uploads, counts and claims of KeyPackages. */
export class KeyPackageService {
  constructor(
    private readonly store: Store,
    private readonly limits: KeyPackageLimits,
    private readonly metrics: GroupMetrics,
    /** Pushes `mls.keys.low` to a device whose pool fell below the low-water mark. */
    private readonly pushLow: (device: DeviceAddress, count: number) => void,
  ) {}

  /**
   * Adds one-time KeyPackages for `device` and replaces its last-resort one when given. Throws
   * INVALID_ARGUMENT when the pool would exceed `keyPackageMaxStored` (nothing added), DEVICE_NOT_FOUND when
   * the device is no longer on its account's list.
   */
  async upload(
    device: DeviceAddress,
    keyPackages: readonly Uint8Array[],
    lastResort?: Uint8Array,
  ): Promise<void> {
    const max = this.limits.keyPackageMaxStored;
    const r = await this.store.groups.addKeyPackages(device, keyPackages, lastResort, max);
    if (r === 'full') {
      throw new ApiError(
        'INVALID_ARGUMENT',
        `A device keeps at most ${max} one-time KeyPackages on the server.`,
      );
    }
    if (r === 'unknown-device') throw new ApiError('DEVICE_NOT_FOUND');
  }

  /** How many one-time KeyPackages `device` has left, and whether it has a last-resort one. */
  count(device: DeviceAddress): Promise<KeyPackageCount> {
    return this.store.groups.countKeyPackages(device);
  }

  /**
   * Claims one KeyPackage of each of `devices` for `requester`, in order, leaving out devices with none.
   * Throws INVALID_ARGUMENT for a device listed twice; ACCOUNT_NOT_FOUND, BLOCKED or NOT_A_CONTACT unless
   * every account is the requester's own or an accepted contact that does not block it (nothing claimed);
   * NO_KEY_PACKAGES when no listed device has any.
   */
  async claim(requester: DeviceAddress, devices: readonly DeviceAddress[]): Promise<ClaimedKeyPackage[]> {
    if (new Set(devices.map(addressKey)).size !== devices.length) {
      throw new ApiError('INVALID_ARGUMENT', 'A device is listed twice.');
    }
    await checkReachable(
      this.store,
      requester.account,
      devices.map((d) => d.account),
    );
    const claimed = await this.store.groups.claimKeyPackages(devices);
    if (claimed.length === 0) {
      throw new ApiError('NO_KEY_PACKAGES', 'None of these devices has an MLS KeyPackage left.');
    }
    this.metrics.keyPackagesClaimed.inc({}, claimed.length);
    for (const c of claimed) {
      if (c.remaining < this.limits.keyPackageLowWaterMark) this.pushLow(c.device, c.remaining);
    }
    return claimed.map((c) => ({
      account: c.device.account,
      deviceId: c.device.deviceId,
      keyPackage: c.keyPackage,
    }));
  }
}
