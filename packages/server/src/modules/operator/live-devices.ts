/**
 * The devices with an authenticated connection to this node, by account: what `sotto_devices_online` and
 * the node's status report count, and what the operator's disabling or deleting an account closes.
 * A connection is added once it authenticated and removed by the hub's one shared close hook.
 */
import type { Connection } from '../../ws/connection.js';

/** Authenticated connections of this node, by account. */
export class LiveDevices {
  private readonly byAccount = new Map<string, Connection[]>();
  private count = 0;

  /** Devices connected and authenticated here now. */
  get size(): number {
    return this.count;
  }

  /** Records an authenticated connection. */
  add(conn: Connection): void {
    const account = conn.device?.account;
    if (account === undefined) return;
    const list = this.byAccount.get(account);
    if (list === undefined) this.byAccount.set(account, [conn]);
    else list.push(conn);
    this.count++;
  }

  /** Forgets a closed connection (any connection: unauthenticated ones were never added). */
  remove(conn: Connection): void {
    const account = conn.device?.account;
    const list = account === undefined ? undefined : this.byAccount.get(account);
    const i = list?.indexOf(conn) ?? -1;
    if (list === undefined || account === undefined || i < 0) return;
    list.splice(i, 1);
    if (list.length === 0) this.byAccount.delete(account);
    this.count--;
  }

  /** Closes every connection of `account` with `code`; returns how many. */
  closeAccount(account: string, code: number, reason: string): number {
    const list = [...(this.byAccount.get(account) ?? [])];
    for (const conn of list) conn.close(code, reason);
    return list.length;
  }
}
