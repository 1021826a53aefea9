/**
 * MLS KeyPackages (ADR 0018 and its addendum): each device keeps, per MLS ciphersuite, a pool of
 * one-time KeyPackages and one last-resort KeyPackage on the server, like its prekeys. The server checks
 * sizes and that each KeyPackage's encoded suite is the declared one; a member that claims a KeyPackage
 * verifies it (signature, credential against the owner's signed device list) before adding the device. A
 * claim takes one KeyPackage of the group's suite per device atomically and tells the owner when its pool
 * of that suite runs low.
 */
import { type ClaimedKeyPackage, type DeviceAddress, WIRE_BOUNDS } from '@sotto/protocol';
import { ApiError } from '../../errors.js';
import type { KeyPackageCount } from '../../store/group-records.js';
import type { Store } from '../../store/store.js';
import { addressKey, checkReachable } from './contact-policy.js';
import type { GroupMetrics } from './group-metrics.js';
import { keyPackageSuite } from './key-package-suite.js';

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
    /** Pushes `mls.keys.low` to a device whose pool of `suite` fell below the low-water mark. */
    private readonly pushLow: (device: DeviceAddress, suite: number, count: number) => void,
  ) {}

  /**
   * Adds one-time KeyPackages of `suite` for `device` and replaces its last-resort one of that suite when
   * given. Throws MLS_INVALID when a KeyPackage is not an MLS 1.0 KeyPackage of `suite` (nothing added),
   * INVALID_ARGUMENT when the device's one-time KeyPackages would exceed `keyPackageMaxStored` (all suites
   * together) or it would keep KeyPackages of more than {@link WIRE_BOUNDS}.keyPackageSuites suites,
   * DEVICE_NOT_FOUND when the device is no longer on its account's list.
   */
  async upload(
    device: DeviceAddress,
    suite: number,
    keyPackages: readonly Uint8Array[],
    lastResort?: Uint8Array,
  ): Promise<void> {
    for (const kp of lastResort === undefined ? keyPackages : [...keyPackages, lastResort]) {
      if (keyPackageSuite(kp) !== suite) {
        throw new ApiError('MLS_INVALID', `A KeyPackage is not an MLS KeyPackage of suite ${suite}.`);
      }
    }
    const max = this.limits.keyPackageMaxStored;
    const maxSuites = WIRE_BOUNDS.keyPackageSuites;
    const r = await this.store.groups.addKeyPackages(device, suite, keyPackages, lastResort, {
      maxStored: max,
      maxSuites,
    });
    if (r === 'full') {
      throw new ApiError(
        'INVALID_ARGUMENT',
        `A device keeps at most ${max} one-time KeyPackages on the server.`,
      );
    }
    if (r === 'suites') {
      throw new ApiError('INVALID_ARGUMENT', `A device keeps KeyPackages of at most ${maxSuites} suites.`);
    }
    if (r === 'unknown-device') throw new ApiError('DEVICE_NOT_FOUND');
  }

  /** How many one-time KeyPackages of `suite` `device` has left, and whether it has a last-resort one. */
  count(device: DeviceAddress, suite: number): Promise<KeyPackageCount> {
    return this.store.groups.countKeyPackages(device, suite);
  }

  /**
   * Claims one KeyPackage of `suite` of each of `devices` for `requester`, in order, leaving out devices
   * with none of that suite.
   * Throws INVALID_ARGUMENT for a device listed twice; ACCOUNT_NOT_FOUND, BLOCKED or NOT_A_CONTACT unless
   * every account is the requester's own or an accepted contact that does not block it (nothing claimed);
   * NO_KEY_PACKAGES when no listed device has any.
   */
  async claim(
    requester: DeviceAddress,
    devices: readonly DeviceAddress[],
    suite: number,
  ): Promise<ClaimedKeyPackage[]> {
    if (new Set(devices.map(addressKey)).size !== devices.length) {
      throw new ApiError('INVALID_ARGUMENT', 'A device is listed twice.');
    }
    await checkReachable(
      this.store,
      requester.account,
      devices.map((d) => d.account),
    );
    const claimed = await this.store.groups.claimKeyPackages(devices, suite);
    if (claimed.length === 0) {
      throw new ApiError('NO_KEY_PACKAGES', 'None of these devices has an MLS KeyPackage left.');
    }
    this.metrics.keyPackagesClaimed.inc({}, claimed.length);
    for (const c of claimed) {
      if (c.remaining < this.limits.keyPackageLowWaterMark) this.pushLow(c.device, suite, c.remaining);
    }
    return claimed.map((c) => ({
      account: c.device.account,
      deviceId: c.device.deviceId,
      keyPackage: c.keyPackage,
    }));
  }
}
