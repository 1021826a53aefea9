/**
 * A small world of devices for the MLS tests: each device has an Ed25519 signing key and a place on its
 * account's "verified device list" (a map the lookup answers from), which a test can change to play a
 * revoked device or a substituted key.
 */

import {
  commitMlsChanges,
  createMlsGroup,
  type GroupDeps,
  type GroupSelf,
  type GroupSuite,
  generateMemberKeyPackage,
  joinMlsGroup,
  type MemberLookup,
  type MlsState,
  verifyMemberKeyPackage,
} from '../../src/mls/index.js';
import { createNodeProvider } from '../../src/provider/index.js';
import type { CryptoProvider, KeyPair } from '../../src/provider.js';

export const p: CryptoProvider = createNodeProvider();

/** One device. */
export interface Device extends GroupSelf {
  readonly name: string;
}

/** Devices and the lists that vouch for them. */
export class World {
  /** `account/deviceId` → the listed signing key. */
  readonly listed = new Map<string, Uint8Array>();
  readonly devices = new Map<string, Device>();

  constructor(readonly suite: GroupSuite = 'classic') {}

  readonly lookup: MemberLookup = async (d) => this.listed.get(`${d.account}/${d.deviceId}`);

  deps(): GroupDeps {
    return { p, suite: this.suite, lookup: this.lookup };
  }

  async device(account: string, deviceId = 1): Promise<Device> {
    const signing: KeyPair = await p.ed25519Generate();
    const d: Device = { name: `${account}/${deviceId}`, device: { account, deviceId }, signing };
    this.listed.set(d.name, signing.publicKey);
    this.devices.set(d.name, d);
    return d;
  }

  /** A KeyPackage of `d`, verified as an adder verifies a claimed one. */
  async keyPackage(d: Device) {
    const own = await generateMemberKeyPackage(p, {
      device: d.device,
      signing: d.signing,
      suite: this.suite,
      now: Date.now(),
    });
    const kp = await verifyMemberKeyPackage(p, own.bytes, {
      suite: this.suite,
      device: d.device,
      signingKey: d.signing.publicKey,
    });
    return { own, kp };
  }

  /** A group created by `admin` (admins: its account) with `others` added in one commit; every state. */
  async group(admin: Device, others: readonly Device[], name = 'Team'): Promise<Map<string, MlsState>> {
    const states = new Map<string, MlsState>();
    let s = await createMlsGroup(this.deps(), {
      groupId: p.randomBytes(16),
      self: admin,
      metadata: { name, admins: [admin.device.account] },
      now: Date.now(),
    });
    if (others.length > 0) {
      const kps = await Promise.all(others.map((o) => this.keyPackage(o)));
      const c = await commitMlsChanges(this.deps(), s, { add: kps.map((k) => k.kp) });
      s = c.state;
      for (const [i, o] of others.entries()) {
        const k = kps[i];
        if (k === undefined || c.welcome === undefined) throw new Error('no welcome');
        states.set(
          o.name,
          await joinMlsGroup(this.deps(), {
            welcome: c.welcome,
            keyPackage: k.own.bytes,
            secrets: k.own.secrets,
            signingSeed: o.signing.secretKey,
          }),
        );
      }
    }
    states.set(admin.name, s);
    return states;
  }
}
