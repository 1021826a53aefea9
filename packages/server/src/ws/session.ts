/**
 * What happens once a device authenticated: its connection subscribes to the bus (mail, pushes to the
 * device and to the account, revocation), the account's presence goes online, the device gets its
 * contacts' presence, and its mailbox is delivered. Closing undoes the subscriptions and presence.
 */
import { type Bus, deviceKey } from '../bus/bus.js';
import type { PresenceService } from '../modules/contacts/presence.js';
import { MailboxPump } from '../modules/relay/pump.js';
import type { RelayService } from '../modules/relay/relay.js';
import type { Store } from '../store/store.js';
import { CLOSE, type Connection } from './connection.js';

/** What a session needs. */
export interface SessionDeps {
  readonly bus: Bus;
  readonly store: Store;
  readonly relay: RelayService;
  readonly presence: PresenceService;
  readonly onError: (err: unknown) => void;
}

/** Wires an authenticated connection. */
export async function startSession(conn: Connection, deps: SessionDeps): Promise<void> {
  const device = conn.device;
  if (device === undefined) return;
  const { bus } = deps;
  const own = deviceKey(device.account, device.deviceId);
  const pump = new MailboxPump(conn, deps.store, deps.relay, deps.onError);
  const unsubscribe = [
    bus.subscribe('mail', own, () => pump.kickSoon()),
    bus.subscribe('push', own, (e) => conn.send(e.frame)),
    bus.subscribe('push', device.account, (e) => conn.send(e.frame)),
    bus.subscribe('kick', own, () => conn.close(CLOSE.revoked, 'device removed')),
  ];
  await deps.presence.connected(device.account);
  // Registered after `connected` so a socket closed meanwhile still goes offline (onClosed runs at once).
  conn.onClosed(() => {
    for (const u of unsubscribe) u();
    deps.presence.disconnected(device.account).catch(deps.onError);
  });
  for (const frame of await deps.presence.contactsPresence(device.account)) conn.send(frame);
  pump.kick();
}
