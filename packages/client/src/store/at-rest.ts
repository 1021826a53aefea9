/**
 * Encryption at rest (DESIGN §7): every value is sealed with AES-256-GCM under the profile's 32-byte
 * storage key, with a fresh 96-bit random nonce, and bound to its table and key as associated data, so a
 * record cannot be moved to another slot or altered without failing. Keys (table and record key) stay in
 * the clear: they hold account names, device ids, times and random ids, never secrets or message text.
 */

import { type CryptoProvider, LABELS, SottoError, utf8 } from '@sotto/crypto';
import type { ClientStore, ListOptions, StoreOp, Table } from './store.js';

const NONCE = 12;

function aad(table: Table, key: string): Uint8Array {
  return utf8(`${LABELS.clientStoreRecord}\u0000${table}\u0000${key}`);
}

/** Wraps a store so every value is encrypted; `storageKey` is 32 bytes. */
export class EncryptedStore implements ClientStore {
  constructor(
    private readonly inner: ClientStore,
    private readonly p: CryptoProvider,
    private readonly storageKey: Uint8Array,
  ) {
    if (storageKey.length !== 32) throw new SottoError('INVALID_ARGUMENT', 'storage key must be 32 bytes');
  }

  private async seal(table: Table, key: string, value: Uint8Array): Promise<Uint8Array> {
    const nonce = this.p.randomBytes(NONCE);
    const sealed = await this.p.aes256GcmSeal(this.storageKey, nonce, value, aad(table, key));
    const out = new Uint8Array(NONCE + sealed.length);
    out.set(nonce);
    out.set(sealed, NONCE);
    return out;
  }

  private async open(table: Table, key: string, value: Uint8Array): Promise<Uint8Array> {
    if (value.length < NONCE + 16) throw new SottoError('STORAGE_WRONG_KEY');
    try {
      return await this.p.aes256GcmOpen(
        this.storageKey,
        value.subarray(0, NONCE),
        value.subarray(NONCE),
        aad(table, key),
      );
    } catch (cause) {
      throw new SottoError('STORAGE_WRONG_KEY', undefined, { cause });
    }
  }

  /** {@inheritDoc ClientStore.get} */
  async get(table: Table, key: string): Promise<Uint8Array | undefined> {
    const v = await this.inner.get(table, key);
    return v === undefined ? undefined : this.open(table, key, v);
  }

  /** {@inheritDoc ClientStore.list} */
  async list(table: Table, options?: ListOptions): Promise<Array<readonly [string, Uint8Array]>> {
    const out: Array<readonly [string, Uint8Array]> = [];
    for (const [k, v] of await this.inner.list(table, options)) out.push([k, await this.open(table, k, v)]);
    return out;
  }

  /** {@inheritDoc ClientStore.write} */
  async write(ops: readonly StoreOp[]): Promise<void> {
    const sealed: StoreOp[] = [];
    for (const o of ops) {
      sealed.push(o.op === 'put' ? { ...o, value: await this.seal(o.table, o.key, o.value) } : o);
    }
    await this.inner.write(sealed);
  }

  /** {@inheritDoc ClientStore.close} */
  async close(): Promise<void> {
    this.storageKey.fill(0);
    await this.inner.close();
  }
}
