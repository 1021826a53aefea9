/**
 * The key directory: device lists, backups, device certificates and prekeys. Everything it stores was
 * signed by the account's identity key or the device's signing key, and it checks those signatures
 * before storing; it hands out each one-time prekey at most once (the store's atomic `takeBundle`).
 */
import {
  type CryptoProvider,
  decodeKemPrekey,
  decodeOneTimePrekey,
  decodeSignedPrekey,
  encodePublicKey,
  equalBytes,
  KeyType,
  verifyKemPrekey,
  verifySignedPrekey,
} from '@sotto/crypto';
import type { PrekeyBundle } from '@sotto/protocol';
import { ApiError } from '../../errors.js';
import type { DeviceAddress, Store, StoredPrekey } from '../../store/store.js';
import { attachCertificate, checkDeviceList } from './device-lists.js';

/** A device's prekey upload (the `keys.upload` fields); every item is an encoding from @sotto/crypto. */
export interface KeyUpload {
  readonly signedPrekey?: Uint8Array | undefined;
  readonly kemPrekeys: readonly Uint8Array[];
  readonly lastResortKemPrekey?: Uint8Array | undefined;
  readonly oneTimePrekeys: readonly Uint8Array[];
}

/** An account's public directory entry. */
export interface DirectoryEntry {
  readonly account: string;
  /** Encoded (crypto's versioned key encoding). */
  readonly identityKey: Uint8Array;
  readonly deviceList: Uint8Array;
  readonly certificates: Uint8Array[];
}

/** One bundle per device that has published keys, and what each device has left. */
export interface FetchedBundles {
  readonly entry: DirectoryEntry;
  readonly bundles: PrekeyBundle[];
  readonly remaining: { readonly device: DeviceAddress; readonly x25519: number; readonly mlkem: number }[];
}

const invalidPrekey = (what: string) =>
  new ApiError('PREKEY_SIGNATURE_INVALID', `The ${what} is malformed or not signed by the device key.`);

/** The directory module's logic, independent of HTTP and WebSocket. */
export class DirectoryService {
  constructor(
    private readonly store: Store,
    private readonly crypto: CryptoProvider,
    private readonly limits: { readonly prekeyMaxStored: number; readonly prekeyMaxBatch: number },
  ) {}

  /**
   * Replaces `account`'s device list with a newer one signed by its identity key, with the certificate of
   * a device it adds (when given). Devices left out lose their prekeys and mailboxes. Returns the
   * certified device's id and the ids of the devices that were removed (or re-keyed). Throws
   * ACCOUNT_NOT_FOUND or DEVICE_LIST_REJECTED.
   */
  async publishDeviceList(
    account: string,
    bytes: Uint8Array,
    certificate?: Uint8Array,
  ): Promise<{ deviceId: number | undefined; removed: number[] }> {
    const current = await this.store.getAccount(account);
    if (current === undefined) throw new ApiError('ACCOUNT_NOT_FOUND');
    let update = await checkDeviceList(this.crypto, account, current.identityKey, bytes, current.deviceList);
    let deviceId: number | undefined;
    if (certificate !== undefined) {
      ({ update, deviceId } = await attachCertificate(
        this.crypto,
        account,
        current.identityKey,
        update,
        certificate,
      ));
    }
    const before = await this.store.listDevices(account);
    if (!(await this.store.replaceDeviceList(account, current.deviceListVersion, update))) {
      throw new ApiError('DEVICE_LIST_REJECTED', 'The device list changed meanwhile; fetch it and retry.');
    }
    const next = new Map(update.devices.map((d) => [d.deviceId, d.signingKey]));
    const removed = before
      .filter((d) => {
        const key = next.get(d.deviceId);
        return key === undefined || !equalBytes(key, d.signingKey);
      })
      .map((d) => d.deviceId);
    return { deviceId, removed };
  }

  /**
   * Publishes `bytes`, which must no longer name `deviceId`; the device loses its prekeys and mailbox.
   * Returns the removed ids. Throws DEVICE_NOT_FOUND or DEVICE_LIST_REJECTED.
   */
  async revokeDevice(account: string, deviceId: number, bytes: Uint8Array): Promise<number[]> {
    if ((await this.store.getDevice(account, deviceId)) === undefined) throw new ApiError('DEVICE_NOT_FOUND');
    const { removed } = await this.publishDeviceList(account, bytes);
    if (!removed.includes(deviceId)) {
      throw new ApiError('DEVICE_LIST_REJECTED', 'The new device list still names the revoked device.');
    }
    return removed;
  }

  /** Replaces the encrypted backup blob. */
  async setBackup(account: string, backup: Uint8Array): Promise<void> {
    await this.store.setBackup(account, backup);
  }

  /** The account's identity key, signed device list and certificates; throws ACCOUNT_NOT_FOUND. */
  async entry(account: string): Promise<DirectoryEntry> {
    const a = await this.store.getAccount(account);
    if (a === undefined) throw new ApiError('ACCOUNT_NOT_FOUND');
    const devices = await this.store.listDevices(account);
    return {
      account,
      identityKey: encodePublicKey(KeyType.identity, a.identityKey),
      deviceList: a.deviceList,
      certificates: devices.flatMap((d) => (d.certificate === undefined ? [] : [d.certificate])),
    };
  }

  /**
   * Stores a device's prekeys after checking every signature by the device signing key. Throws
   * PREKEY_SIGNATURE_INVALID, INVALID_ARGUMENT (over the stored maximum) or DEVICE_NOT_FOUND; stores
   * nothing then. Returns the one-time prekeys now held.
   */
  async upload(device: DeviceAddress, upload: KeyUpload): Promise<{ x25519: number; mlkem: number }> {
    const record = await this.store.getDevice(device.account, device.deviceId);
    if (record === undefined) throw new ApiError('DEVICE_NOT_FOUND');
    const ref = { deviceId: device.deviceId, signingKey: record.signingKey };
    const { prekeyMaxStored: maxStored, prekeyMaxBatch: maxBatch } = this.limits;
    if (upload.kemPrekeys.length > maxBatch || upload.oneTimePrekeys.length > maxBatch) {
      throw new ApiError('INVALID_ARGUMENT', `An upload carries at most ${maxBatch} prekeys of a kind.`);
    }

    let signed: StoredPrekey | undefined;
    if (upload.signedPrekey !== undefined) {
      try {
        const k = decodeSignedPrekey(upload.signedPrekey);
        await verifySignedPrekey(this.crypto, k, ref);
        signed = { keyId: k.id, encoded: upload.signedPrekey };
      } catch {
        throw invalidPrekey('signed prekey');
      }
    }
    const kem = async (bytes: Uint8Array, lastResort: boolean): Promise<StoredPrekey> => {
      try {
        const k = decodeKemPrekey(bytes);
        await verifyKemPrekey(this.crypto, k, ref);
        if (k.lastResort === lastResort) return { keyId: k.id, encoded: bytes };
      } catch {
        // fall through
      }
      throw invalidPrekey(lastResort ? 'last-resort KEM prekey' : 'one-time KEM prekey');
    };
    const lastResort =
      upload.lastResortKemPrekey === undefined ? undefined : await kem(upload.lastResortKemPrekey, true);
    const oneTimeKem: StoredPrekey[] = [];
    for (const b of upload.kemPrekeys) oneTimeKem.push(await kem(b, false));
    const oneTimeX25519 = upload.oneTimePrekeys.map((b) => {
      try {
        return { keyId: decodeOneTimePrekey(b).id, encoded: b };
      } catch {
        throw invalidPrekey('one-time prekey');
      }
    });

    const before = await this.store.countOneTimePrekeys(device);
    if (before.x25519 + oneTimeX25519.length > maxStored || before.mlkem + oneTimeKem.length > maxStored) {
      throw new ApiError(
        'INVALID_ARGUMENT',
        `A device holds at most ${maxStored} one-time prekeys of a kind.`,
      );
    }
    const ok =
      (await this.store.putDeviceKeys(device, { signedPrekey: signed, lastResortKem: lastResort })) &&
      (await this.store.addOneTimePrekeys(device, 'x25519', oneTimeX25519)) &&
      (await this.store.addOneTimePrekeys(device, 'mlkem', oneTimeKem));
    if (!ok) throw new ApiError('DEVICE_NOT_FOUND');
    return this.store.countOneTimePrekeys(device);
  }

  /** One-time prekeys the device has left. */
  count(device: DeviceAddress): Promise<{ x25519: number; mlkem: number }> {
    return this.store.countOneTimePrekeys(device);
  }

  /**
   * One bundle per device of `account` that has published keys, each consuming one one-time X25519 and
   * one one-time ML-KEM prekey (or the last-resort KEM prekey when none is left). The `requester` device
   * is left out of its own account's bundles. Throws ACCOUNT_NOT_FOUND, or NO_PREKEYS when no device of
   * another account has published keys.
   */
  async fetchBundles(account: string, requester?: DeviceAddress): Promise<FetchedBundles> {
    const entry = await this.entry(account);
    const bundles: PrekeyBundle[] = [];
    const remaining: FetchedBundles['remaining'] = [];
    const own = requester !== undefined && requester.account === account;
    for (const d of await this.store.listDevices(account)) {
      // A device never starts a session with itself: do not spend its own one-time prekeys.
      if (own && d.deviceId === requester.deviceId) continue;
      const address = { account, deviceId: d.deviceId };
      const b = await this.store.takeBundle(address);
      if (b === undefined) continue;
      bundles.push({
        deviceId: d.deviceId,
        certificate: b.device.certificate,
        signedPrekey: b.signedPrekey.encoded,
        kemPrekey: b.oneTimeKem?.encoded ?? b.lastResortKem.encoded,
        kemLastResort: b.oneTimeKem === undefined,
        ...(b.oneTimeX25519 === undefined ? {} : { oneTimePrekey: b.oneTimeX25519.encoded }),
      });
      remaining.push({ device: address, ...b.remaining });
    }
    // Asking for one's own other devices when there are none is not an error: there is nobody to reach.
    if (bundles.length === 0 && !own) throw new ApiError('NO_PREKEYS');
    return { entry, bundles, remaining };
  }
}
