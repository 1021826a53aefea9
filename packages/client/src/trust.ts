/**
 * Trust in identity keys (DESIGN §3 "verified identities"): trust on first use records the key the first
 * time an account is seen; the same key again is trusted; a different key is a change. For an unverified
 * contact the new key is recorded and the change reported; for a verified contact it is held as pending,
 * reported, and not trusted until the user acknowledges it. One's own identity key never changes.
 */

import { equalBytes } from '@sotto/crypto';
import { contactOp, loadContact } from './contacts.js';
import type { TypedEmitter } from './events.js';
import type { ClientStore } from './store/store.js';
import type { ClientEvents } from './types.js';

/** What {@link checkIdentity} needs. */
export interface TrustDeps {
  readonly store: ClientStore;
  readonly events: TypedEmitter<ClientEvents>;
  readonly self: { readonly account: string; readonly identityKey: Uint8Array };
}

/**
 * Decides whether `identityKey` may be used for `account`, recording it on first use and reporting a
 * change (`identity-changed`). Returns false when it must not be used (a verified contact's changed key, or
 * a key that is not our own for our own account).
 */
export async function checkIdentity(
  deps: TrustDeps,
  account: string,
  identityKey: Uint8Array,
): Promise<boolean> {
  if (account === deps.self.account) return equalBytes(identityKey, deps.self.identityKey);
  const r = await loadContact(deps.store, account);
  if (r.identityKey === undefined) {
    r.identityKey = identityKey;
    await deps.store.write([contactOp(account, r)]);
    return true;
  }
  if (equalBytes(r.identityKey, identityKey)) return true;
  if (r.verified) {
    const known = r.pendingIdentityKey !== undefined && equalBytes(r.pendingIdentityKey, identityKey);
    if (!known) {
      r.pendingIdentityKey = identityKey;
      await deps.store.write([contactOp(account, r)]);
      deps.events.emit('identity-changed', { account, verified: true });
    }
    return false;
  }
  r.identityKey = identityKey;
  r.pendingIdentityKey = undefined;
  await deps.store.write([contactOp(account, r)]);
  deps.events.emit('identity-changed', { account, verified: false });
  return true;
}

/** The identity key currently trusted for `account` (undefined when none is recorded yet). */
export async function trustedIdentity(deps: TrustDeps, account: string): Promise<Uint8Array | undefined> {
  if (account === deps.self.account) return deps.self.identityKey;
  return (await loadContact(deps.store, account)).identityKey;
}
