/**
 * What happens once a device authenticated: its connection subscribes to the bus (mail, pushes to the
 * device and to the account, revocation), the account's presence goes online, the device gets its
 * contacts' presence, and its mailbox is delivered. Closing undoes the subscriptions and presence.
 */
import type { ServerFrame } from '@sotto/protocol';
import type { Bus, MailSignal } from '../bus/bus.js';
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
  const own = conn.deviceKey;
  const pump = new MailboxPump(conn, deps.store, deps.relay, deps.onError);
  conn.mailbox = pump;
  // One push handler serves both keys (the device's and the account's). The handlers are kept and
  // unsubscribed by value, so a connection holds no unsubscribe closure per subscription. They sit in a
  // tuple rather than named constants: under tsx (keepNames) a named function gets its `name` redefined,
  // which turns its properties into a dictionary (~256 bytes per function, per connection).
  const [mail, push, kick] = [
    (signal: MailSignal) => pump.signal(signal),
    (e: { frame: ServerFrame }) => conn.send(e.frame),
    () => conn.close(CLOSE.revoked, 'device removed'),
  ] as const;
  bus.subscribe('mail', own, mail);
  bus.subscribe('push', own, push);
  bus.subscribe('push', device.account, push);
  bus.subscribe('kick', own, kick);
  await deps.presence.connected(device.account);
  // Registered after `connected` so a socket closed meanwhile still goes offline (onClosed runs at once).
  conn.onClosed(() => {
    bus.unsubscribe('mail', own, mail);
    bus.unsubscribe('push', own, push);
    bus.unsubscribe('push', device.account, push);
    bus.unsubscribe('kick', own, kick);
    deps.presence.disconnected(device.account).catch(deps.onError);
  });
  for (const frame of await deps.presence.contactsPresence(device.account)) conn.send(frame);
  pump.kick();
}
