/**
 * A world for group tests: a real server behind the malicious proxy, and accounts with one or more
 * devices (the first registers, the others log in with the password), every pair of accounts contacts.
 * The proxy knows which connection is which device (from the `auth` frame), so a test can inject a frame
 * into one device's connection, or drop, hold and replay what one device receives.
 */
import type { ClientFrame, ServerFrame } from '@sotto/protocol';
import type { ClientOptions, GroupEvent, SottoClient } from '../../src/index.js';
import { Hostile } from './hostile.js';
import type { ProxiedConnection } from './malicious-proxy.js';
import { next, STRONG, until } from './world.js';

/** A frame hook for one device: returns the frame to pass on, or undefined to drop it. */
export type DeviceHook<F> = (device: string, frame: F, conn: ProxiedConnection) => F | undefined;

/** Group test world: `c('alice', 1)` is alice's first device. */
export class GroupWorld {
  readonly clients = new Map<string, SottoClient>();
  /** Connections by device (`alice/1`), the latest of each. */
  readonly conns = new Map<string, ProxiedConnection>();
  fromServer: DeviceHook<ServerFrame> | undefined;
  fromClient: DeviceHook<ClientFrame> | undefined;

  private constructor(readonly h: Hostile) {
    const byConn = new Map<ProxiedConnection, string>();
    h.proxy.hooks = {
      fromClient: (f, conn) => {
        if (f.t === 'auth') {
          byConn.set(conn, `${f.account}/${f.deviceId}`);
          this.conns.set(`${f.account}/${f.deviceId}`, conn);
        }
        const who = byConn.get(conn);
        return who === undefined || this.fromClient === undefined ? f : this.fromClient(who, f, conn);
      },
      fromServer: (f, conn) => {
        const who = byConn.get(conn);
        return who === undefined || this.fromServer === undefined ? f : this.fromServer(who, f, conn);
      },
    };
  }

  /** Starts the server and proxy, registers `accounts` with `devices` each, and makes them all contacts. */
  static async start(
    accounts: readonly string[],
    devices = 1,
    options: (account: string, deviceId: number) => Partial<ClientOptions> = () => ({}),
  ): Promise<GroupWorld> {
    const w = new GroupWorld(await Hostile.start());
    for (const a of accounts) {
      const first = w.add(a, 1, options(a, 1));
      await first.register({ name: a, password: STRONG });
      for (let d = 2; d <= devices; d++) await w.login(a, d, options(a, d));
    }
    for (const [i, a] of accounts.entries()) {
      for (const b of accounts.slice(i + 1)) await w.befriend(a, b);
    }
    return w;
  }

  /** A client for `account`'s device `deviceId` (not connected yet). */
  add(account: string, deviceId: number, options: Partial<ClientOptions> = {}): SottoClient {
    const c = this.h.client({ keyPackageBatch: 4, ...options });
    this.clients.set(`${account}/${deviceId}`, c);
    return c;
  }

  /** Logs in a new device of `account` (it must get id `deviceId`). */
  async login(account: string, deviceId: number, options: Partial<ClientOptions> = {}): Promise<SottoClient> {
    const c = this.add(account, deviceId, options);
    const r = await c.login({ name: account, password: STRONG });
    if (r.deviceId !== deviceId) throw new Error(`expected device ${deviceId}, got ${r.deviceId}`);
    return c;
  }

  /** Makes `a` and `b` accepted contacts. */
  async befriend(a: string, b: string): Promise<void> {
    const ca = this.c(a);
    const cb = this.c(b);
    const accepted = next(ca, 'contact-event', (e) => e.account === b && e.state === 'accepted');
    const asked = next(cb, 'contact-request', (e) => e.account === a);
    await ca.requestContact(b);
    await asked;
    await cb.acceptContact(a);
    await accepted;
  }

  /** The client of `account`'s device `deviceId`. */
  c(account: string, deviceId = 1): SottoClient {
    const c = this.clients.get(`${account}/${deviceId}`);
    if (c === undefined) throw new Error(`no client ${account}/${deviceId}`);
    return c;
  }

  /** Every client of `accounts` (all of their devices). */
  of(...accounts: string[]): SottoClient[] {
    return [...this.clients].filter(([k]) => accounts.includes(k.split('/')[0] as string)).map(([, c]) => c);
  }

  /** Waits until every client in `who` has the group `id` at least at `epoch`. */
  async epoch(id: string, epoch: number, who: readonly SottoClient[], timeoutMs = 20_000): Promise<void> {
    await until(async () => {
      for (const c of who) {
        const g = await c.getGroup(id).catch(() => undefined);
        if (g === undefined || g.epoch < epoch) return false;
      }
      return true;
    }, timeoutMs);
  }

  /** Resolves with the next `group` event of `c` matching `pred`. */
  group(c: SottoClient, pred: (e: GroupEvent) => boolean, timeoutMs = 20_000): Promise<GroupEvent> {
    return next(c, 'group', pred, timeoutMs);
  }

  async stop(): Promise<void> {
    await this.h.stop();
  }
}
