/**
 * Seeds benchmark accounts straight into the server's store (SQLite or PostgreSQL), before it starts. Only OPAQUE
 * registration is skipped (its client-side key stretching costs far more than the relay work measured
 * here, and the per-IP registration limit would throttle it): the identity key, the identity-signed
 * device list and the device certificates are real, and every connection later authenticates with the
 * real challenge signature.
 */
import type { Store } from '../../src/store/store.js';
import { TestAccount } from '../../test/helpers/account.js';

async function insert(store: Store, a: TestAccount): Promise<void> {
  const devices = [];
  for (const d of a.devices) {
    devices.push({
      deviceId: d.deviceId,
      signingKey: d.signing.publicKey,
      certificate: await a.certificate(d.deviceId),
    });
  }
  const ok = await store.createAccount(
    {
      name: a.name,
      opaqueRecord: 'bench-account-without-password',
      identityKey: a.identity.publicKey,
      deviceList: await a.deviceList(),
      deviceListVersion: a.version,
      backup: new Uint8Array([0]),
      createdAt: Date.now(),
    },
    devices,
  );
  if (!ok) throw new Error(`account ${a.name} exists`);
}

/** What the load generator needs: the sender and receiver of each pair, and the idle accounts. */
export interface Seeded {
  readonly pairs: { readonly sender: TestAccount; readonly receiver: TestAccount }[];
  /** Accounts whose devices hold the idle connections (up to 16 devices each). */
  readonly idle: TestAccount[];
}

/**
 * Creates `pairs` sender/receiver account pairs (one device each, accepted contacts of each other) and
 * enough accounts of `devicesPerIdleAccount` devices for `idleConnections` distinct idle devices, in
 * `store`, which it closes.
 */
export async function seed(
  store: Store,
  pairs: number,
  idleConnections: number,
  devicesPerIdleAccount = 16,
): Promise<Seeded> {
  try {
    const out: Seeded = { pairs: [], idle: [] };
    for (let i = 0; i < pairs; i++) {
      const sender = await TestAccount.create(`sender${i}`, 'unused', 1);
      const receiver = await TestAccount.create(`receiver${i}`, 'unused', 1);
      await insert(store, sender);
      await insert(store, receiver);
      await store.requestContact(sender.name, receiver.name);
      if (!(await store.acceptContact(receiver.name, sender.name))) throw new Error('contact not accepted');
      out.pairs.push({ sender, receiver });
    }
    for (let left = idleConnections, i = 0; left > 0; left -= devicesPerIdleAccount, i++) {
      const a = await TestAccount.create(`idle${i}`, 'unused', Math.min(devicesPerIdleAccount, left));
      await insert(store, a);
      out.idle.push(a);
    }
    return out;
  } finally {
    await store.close();
  }
}
