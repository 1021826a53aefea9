/**
 * The in-memory reference store: for tests and for runtimes without persistence. Values are copied in
 * and out so callers can never alias stored bytes.
 */

import { SottoError } from '@sotto/crypto';
import { type ClientStore, type ListOptions, type StoreOp, selectEntries, type Table } from './store.js';

/** A {@link ClientStore} held in memory; everything is lost when the process ends. */
export class MemoryStore implements ClientStore {
  private readonly tables = new Map<Table, Map<string, Uint8Array>>();

  private table(name: Table): Map<string, Uint8Array> {
    let t = this.tables.get(name);
    if (t === undefined) {
      t = new Map();
      this.tables.set(name, t);
    }
    return t;
  }

  /** {@inheritDoc ClientStore.get} */
  async get(table: Table, key: string): Promise<Uint8Array | undefined> {
    const v = this.table(table).get(key);
    return v === undefined ? undefined : new Uint8Array(v);
  }

  /** {@inheritDoc ClientStore.list} */
  async list(table: Table, options?: ListOptions): Promise<Array<readonly [string, Uint8Array]>> {
    const sorted = [...this.table(table).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return selectEntries(sorted, options).map(([k, v]) => [k, new Uint8Array(v)] as const);
  }

  /** {@inheritDoc ClientStore.write} */
  async write(ops: readonly StoreOp[]): Promise<void> {
    // Check everything first so a bad batch changes nothing (all or none, like the SQLite transaction).
    for (const o of ops) {
      if (o.op === 'put' && !(o.value instanceof Uint8Array)) {
        throw new SottoError('INVALID_ARGUMENT', 'store: a value must be bytes');
      }
    }
    for (const o of ops) {
      if (o.op === 'put') this.table(o.table).set(o.key, new Uint8Array(o.value));
      else this.table(o.table).delete(o.key);
    }
  }

  /** {@inheritDoc ClientStore.close} */
  async close(): Promise<void> {}
}
