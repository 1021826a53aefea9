/**
 * Routes each decoded client frame to its module. Before authentication only `auth` and `ping` are
 * accepted (UNAUTHENTICATED otherwise); after it, the device's address comes from the connection, never
 * from the frame.
 */
import { type ClientFrame, type ClientFrameType, ERROR_CODES, type FrameOf } from '@sotto/protocol';
import { ApiError } from '../errors.js';
import type { ChallengeAuth } from '../modules/auth/challenge.js';
import type { ContactsService } from '../modules/contacts/contacts.js';
import type { PresenceService } from '../modules/contacts/presence.js';
import type { DirectoryService } from '../modules/directory/directory.js';
import type { FilesService } from '../modules/files/files.js';
import type { EmailState, NotifyEmails } from '../modules/notify/emails.js';
import type { AcceptedSend, RelayService } from '../modules/relay/relay.js';
import type { RateLimit } from '../shared/shared-state.js';
import type { DeviceAddress } from '../store/store.js';
import { CLOSE, type Connection } from './connection.js';

/** Failed `auth` frames a connection may send before it is closed with 1008 (docs/protocol.md §2). */
export const MAX_AUTH_FAILURES = 3;

/** What the router dispatches to. */
export interface RouterDeps {
  readonly auth: ChallengeAuth;
  readonly directory: DirectoryService;
  readonly contacts: ContactsService;
  readonly presence: PresenceService;
  readonly relay: RelayService;
  readonly files: FilesService;
  readonly notify: NotifyEmails;
  /** `files.authorize` per account. */
  readonly fileLimit: RateLimit;
  /** Sends per device. */
  readonly sendLimit: RateLimit;
  /** Bundle fetches per requesting device. */
  readonly bundleLimit: RateLimit;
  readonly prekeyLowWaterMark: number;
  /** Called once a connection authenticated (subscriptions, presence, offline delivery). */
  readonly onAuthenticated: (conn: Connection) => Promise<void>;
  /** Tells an account's connected devices (and its contacts) that its device list changed. */
  readonly onDeviceListChanged: (account: string, removed: readonly number[]) => Promise<void>;
  /** Pushes `keys.low` to a device. */
  readonly pushKeysLow: (device: DeviceAddress, remaining: { x25519: number; mlkem: number }) => void;
  /** Handlers of other modules' frames (groups), merged into the table. */
  readonly moduleHandlers?: Handlers | undefined;
}

/** Handles one frame: at once (returns nothing), or with a promise of when it is done. */
export type Handler<T extends ClientFrameType> = (
  conn: Connection,
  device: DeviceAddress,
  frame: FrameOf<T>,
) => Promise<void> | undefined;
/** Handlers by frame type. */
export type Handlers = { [T in ClientFrameType]?: Handler<T> };

const ok = (conn: Connection, id: number) => conn.send({ t: 'ok', id });

/** Answers an accepted send with `sent` once it is durable, in the background (see `finishLater`). */
function sendLater(conn: Connection, f: FrameOf<'send'>, accepted: AcceptedSend): undefined {
  conn.finishLater(
    f,
    accepted.sent.then((sent) => conn.send(sent)),
  );
  return undefined;
}

/** Answers a `notify.email.*` request with the state `work` resolves with. */
async function answerState(conn: Connection, id: number, work: Promise<EmailState>): Promise<void> {
  conn.send({ ...(await work), id });
}

/** The error sentence for a challenge signed for `origin`, which this server does not accept. */
const wrongOriginMessage = (origin: string) =>
  `The challenge was signed for ${origin}, which is not an origin of this server. If the server runs ` +
  'behind a reverse proxy, its operator must set --public-origin to the URL clients use.';

/** Builds the frame handler of every connection. */
export function createRouter(
  deps: RouterDeps,
): (conn: Connection, frame: ClientFrame) => Promise<void> | undefined {
  const { directory, contacts, relay } = deps;

  const handlers: Handlers = {
    ...deps.moduleHandlers,
    'keys.upload': async (conn, device, f) => {
      await directory.upload(device, {
        signedPrekey: f.signedPrekey,
        kemPrekeys: f.kemPrekeys,
        lastResortKemPrekey: f.lastResortKemPrekey,
        oneTimePrekeys: f.oneTimePrekeys,
      });
      ok(conn, f.id);
    },
    'keys.count': async (conn, device, f) => {
      const n = await directory.count(device);
      conn.send({ t: 'keys.count.result', id: f.id, oneTime: n.x25519, kem: n.mlkem });
    },
    'keys.bundles': async (conn, device, f) => {
      if (!(await deps.bundleLimit.take(conn.deviceKey))) throw new ApiError('RATE_LIMITED');
      const { entry, bundles, remaining } = await directory.fetchBundles(f.account, device);
      const { account, identityKey, deviceList } = entry;
      conn.send({ t: 'keys.bundles.result', id: f.id, account, identityKey, deviceList, bundles });
      for (const r of remaining) {
        if (r.x25519 < deps.prekeyLowWaterMark || r.mlkem < deps.prekeyLowWaterMark)
          deps.pushKeysLow(r.device, r);
      }
    },
    'devices.get': async (conn, _device, f) => {
      const entry = await directory.entry(f.account);
      conn.send({ t: 'devices.get.result', id: f.id, ...entry });
    },
    'devices.publish': async (conn, device, f) => {
      const { removed } = await directory.publishDeviceList(device.account, f.deviceList, f.certificate);
      ok(conn, f.id);
      await deps.onDeviceListChanged(device.account, removed);
    },
    'devices.revoke': async (conn, device, f) => {
      const removed = await directory.revokeDevice(device.account, f.deviceId, f.deviceList);
      ok(conn, f.id);
      await deps.onDeviceListChanged(device.account, removed);
    },
    'backup.put': async (conn, device, f) => {
      await directory.setBackup(device.account, f.blob);
      ok(conn, f.id);
    },
    'contacts.request': async (conn, d, f) => {
      await contacts.request(d.account, f.account);
      ok(conn, f.id);
    },
    'contacts.accept': async (conn, d, f) => {
      await contacts.accept(d.account, f.account);
      ok(conn, f.id);
    },
    'contacts.decline': async (conn, d, f) => {
      await contacts.decline(d.account, f.account);
      ok(conn, f.id);
    },
    'contacts.remove': async (conn, d, f) => {
      await contacts.remove(d.account, f.account);
      ok(conn, f.id);
    },
    'contacts.block': async (conn, d, f) => {
      await contacts.block(d.account, f.account);
      ok(conn, f.id);
    },
    'contacts.unblock': async (conn, d, f) => {
      await contacts.unblock(d.account, f.account);
      ok(conn, f.id);
    },
    'contacts.list': async (conn, d, f) => {
      conn.send({ t: 'contacts.list.result', id: f.id, contacts: await contacts.list(d.account) });
    },
    'presence.set': async (conn, d, f) => {
      await deps.presence.set(d.account, f.state, f.text);
      ok(conn, f.id);
    },
    // Both return once the work is queued in order; the commit is awaited in the background, so a
    // device's next send is checked meanwhile and shares the group commit (`sent` still waits for it).
    // With a local rate limit and a store that reads at once, a send is checked without waiting at all.
    send: (conn, device, f) => {
      const key = conn.deviceKey;
      const allowed = deps.sendLimit.takeNow?.(key);
      if (allowed === false) throw new ApiError('RATE_LIMITED');
      const accepted = allowed === true ? relay.acceptNow(device, f) : undefined;
      if (accepted !== undefined) return sendLater(conn, f, accepted);
      return (async () => {
        if (allowed === undefined && !(await deps.sendLimit.take(key))) throw new ApiError('RATE_LIMITED');
        sendLater(conn, f, await relay.accept(device, f));
      })();
    },
    // Only envelopes sent on this connection can be acknowledged on it (the store deletes by seq); an
    // ack of any other id is ignored, and that envelope comes again on the next connection.
    ack: (conn, device, f) => {
      const acks = conn.mailbox?.acknowledged(f.envelopeIds) ?? [];
      if (acks.length > 0) conn.finishLater(f, relay.ack(device, acks));
      return undefined;
    },
    'files.authorize': async (conn, d, f) => {
      if (!(await deps.fileLimit.take(d.account))) throw new ApiError('RATE_LIMITED');
      const { token, expiresAt } = await deps.files.authorize(d.account, f.size);
      conn.send({ t: 'files.authorize.result', id: f.id, token, expiresAt });
    },
    'files.delete': async (conn, d, f) => {
      await deps.files.delete(d.account, f.fileId);
      ok(conn, f.id);
    },
    'notify.email.get': (conn, d, f) => answerState(conn, f.id, deps.notify.state(d.account)),
    // The code goes out by email, which may take seconds: the device's sends go on meanwhile.
    'notify.email.set': (conn, d, f) => {
      conn.finishLater(f, answerState(conn, f.id, deps.notify.set(d.account, f.address)));
      return undefined;
    },
    'notify.email.verify': (conn, d, f) => answerState(conn, f.id, deps.notify.verify(d.account, f.code)),
    'notify.email.remove': (conn, d, f) => answerState(conn, f.id, deps.notify.remove(d.account)),
    ping: async (conn, _device, f) => {
      conn.send({ t: 'pong', id: f.id });
    },
    pong: async () => {},
  };

  const authenticate = async (conn: Connection, frame: FrameOf<'auth'>): Promise<void> => {
    const outcome = await deps.auth.authenticate(conn, frame);
    if (outcome.ok) {
      ok(conn, frame.id);
      await deps.onAuthenticated(conn);
    } else {
      // Each attempt costs a store lookup and a few signature checks: a few per connection, then 1008.
      if (outcome.disabled === true) {
        // The device is who it says; nothing it sends changes the answer until the operator acts.
        conn.sendError(frame.id, 'ACCOUNT_DISABLED', ERROR_CODES.ACCOUNT_DISABLED);
        conn.close(CLOSE.disabled, 'account disabled');
        return;
      }
      if (outcome.wrongOrigin !== undefined) {
        conn.sendError(frame.id, 'AUTH_ORIGIN_MISMATCH', wrongOriginMessage(outcome.wrongOrigin));
      } else {
        conn.sendError(frame.id, 'AUTH_CHALLENGE_FAILED', 'The signed challenge did not verify.');
      }
      conn.authFailures++;
      conn.countBadFrame();
      if (conn.authFailures >= MAX_AUTH_FAILURES) conn.close(CLOSE.policy, 'too many failed authentications');
      else if (conn.open) deps.auth.challenge(conn);
    }
  };

  return (conn, frame) => {
    const device = conn.device;
    if (frame.t === 'auth') return authenticate(conn, frame);
    if (device === undefined) {
      if (frame.t !== 'ping') throw new ApiError('UNAUTHENTICATED', 'Authenticate the connection first.');
      conn.send({ t: 'pong', id: frame.id });
      return undefined;
    }
    const handler = handlers[frame.t] as Handler<typeof frame.t> | undefined;
    if (handler === undefined) throw new ApiError('UNKNOWN_FRAME_TYPE');
    return handler(conn, device, frame as never);
  };
}
