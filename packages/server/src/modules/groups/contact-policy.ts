/**
 * Who may reach whose devices through groups (ADR 0018): claiming a device's KeyPackage and adding a
 * device to a group need the device's account to be the actor's own, or an accepted contact that does
 * not block the actor — the same rule as a 1:1 send.
 */
import { ApiError } from '../../errors.js';
import type { Store } from '../../store/store.js';

/**
 * Throws unless `actor` may reach every account in `accounts`: ACCOUNT_NOT_FOUND, BLOCKED or
 * NOT_A_CONTACT, checked account by account in the order given.
 */
export async function checkReachable(store: Store, actor: string, accounts: Iterable<string>): Promise<void> {
  for (const account of new Set(accounts)) {
    if (account === actor) continue;
    const [exists, blocked, contact] = await Promise.all([
      store.accountExists(account),
      store.isBlocked(account, actor),
      store.getContact(actor, account),
    ]);
    if (!exists) throw new ApiError('ACCOUNT_NOT_FOUND', `There is no account ${account}.`);
    if (blocked) throw new ApiError('BLOCKED', `${account} does not accept this.`);
    if (contact !== 'accepted') {
      throw new ApiError('NOT_A_CONTACT', `${account} is not an accepted contact.`);
    }
  }
}

/** The `account/deviceId` key of a device (duplicate checks). */
export const addressKey = (d: { readonly account: string; readonly deviceId: number }): string =>
  `${d.account}/${d.deviceId}`;
