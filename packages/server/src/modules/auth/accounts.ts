/**
 * Registration and login with OPAQUE (@serenity-kit/opaque). The password never reaches the server: it
 * sees OPAQUE messages only. A successful login yields a short-lived ticket (for adding a device) and the
 * encrypted identity-key backup, which only the password's export key opens. Login states and tickets
 * live in `SharedState` (memory, or Redis across nodes), never in the store.
 */
import * as opaque from '@serenity-kit/opaque';
import { type CryptoProvider, decodePublicKey, KeyType } from '@sotto/crypto';
import { LOGIN_ID_BYTES, LOGIN_TICKET_BYTES, type RegisterFinishRequest } from '@sotto/protocol';
import type { Clock } from '../../clock.js';
import { ApiError } from '../../errors.js';
import type { SharedState, TokenStore } from '../../shared/shared-state.js';
import type { AccountRecord, Store } from '../../store/store.js';
import { attachCertificate, checkDeviceList } from '../directory/device-lists.js';
import type { RegistrationPolicy } from '../operator/registration.js';

/** What a node keeps between `login/start` and `login/finish`; `state` is secret. */
interface PendingLogin {
  readonly account: string;
  readonly state: string;
  readonly known: boolean;
}

/** What a successful login returns. */
export interface LoginResult {
  readonly ticket: Uint8Array;
  readonly expiresAt: number;
  readonly account: AccountRecord;
}

/** The raw identity key inside its encoding; throws DEVICE_LIST_REJECTED when it is not one. */
export function rawIdentityKey(encoded: Uint8Array): Uint8Array {
  try {
    return decodePublicKey(KeyType.identity, encoded);
  } catch {
    throw new ApiError('DEVICE_LIST_REJECTED', 'The identity key is not an encoded identity key.');
  }
}

/** The OPAQUE side of accounts. One instance per server. */
export class AccountService {
  private readonly logins: TokenStore<PendingLogin>;
  /** Login tickets: token → account name. */
  private readonly tickets: TokenStore<string>;

  constructor(
    private readonly store: Store,
    private readonly crypto: CryptoProvider,
    private readonly serverSetup: string,
    private readonly clock: Clock,
    ttl: { loginStateTtlMs: number; loginTicketTtlMs: number },
    state: SharedState,
    private readonly registration: RegistrationPolicy,
  ) {
    this.logins = state.tokens('login', {
      ttlMs: ttl.loginStateTtlMs,
      tokenBytes: LOGIN_ID_BYTES,
      secret: true,
    });
    this.tickets = state.tokens('ticket', { ttlMs: ttl.loginTicketTtlMs, tokenBytes: LOGIN_TICKET_BYTES });
  }

  /**
   * OPAQUE registration, first message. Throws REGISTRATION_CLOSED or INVITE_INVALID when the registration
   * policy refuses (before anything else, so a closed server does not say which names exist), and
   * ACCOUNT_EXISTS when the name is registered.
   */
  async registerStart(account: string, registrationRequest: string, invite?: string): Promise<string> {
    await this.registration.check(invite);
    if (await this.store.accountExists(account)) throw new ApiError('ACCOUNT_EXISTS');
    try {
      return opaque.server.createRegistrationResponse({
        serverSetup: this.serverSetup,
        userIdentifier: account,
        registrationRequest,
      }).registrationResponse;
    } catch {
      throw new ApiError('BAD_FRAME', 'The registration request could not be read.');
    }
  }

  /**
   * Stores the account once its device list is signed by its identity key and the first device's
   * certificate matches the list, taking one use of the invite (`token` mode) only then. Returns the first
   * device's id. Throws DEVICE_LIST_REJECTED, REGISTRATION_CLOSED, INVITE_INVALID or ACCOUNT_EXISTS.
   */
  async registerFinish(r: RegisterFinishRequest): Promise<number> {
    await this.registration.check(r.invite);
    const identityKey = rawIdentityKey(r.identityKey);
    const list = await checkDeviceList(this.crypto, r.account, identityKey, r.deviceList);
    const { update, deviceId } = await attachCertificate(
      this.crypto,
      r.account,
      identityKey,
      list,
      r.deviceCertificate,
    );
    const release = await this.registration.take(r.invite);
    const created = await this.store
      .createAccount(
        {
          name: r.account,
          opaqueRecord: r.registrationRecord,
          identityKey,
          deviceList: update.deviceList,
          deviceListVersion: update.version,
          backup: r.backup,
          createdAt: this.clock.now(),
        },
        update.devices,
      )
      .catch(async (err: unknown) => {
        await release();
        throw err;
      });
    if (!created) {
      await release();
      throw new ApiError('ACCOUNT_EXISTS');
    }
    return deviceId;
  }

  /**
   * OPAQUE login, first message. An unknown name gets a response indistinguishable from a known one
   * (OPAQUE's fake record), so the login endpoint does not reveal who has an account.
   */
  async loginStart(
    account: string,
    startLoginRequest: string,
  ): Promise<{ loginId: Uint8Array; loginResponse: string }> {
    const record = await this.store.getAccount(account);
    let result: { serverLoginState: string; loginResponse: string };
    try {
      result = opaque.server.startLogin({
        serverSetup: this.serverSetup,
        registrationRecord: record?.opaqueRecord ?? null,
        startLoginRequest,
        userIdentifier: account,
      });
    } catch {
      throw new ApiError('BAD_FRAME', 'The login request could not be read.');
    }
    const loginId = await this.logins.issue({
      account,
      state: result.serverLoginState,
      known: record !== undefined,
    });
    return { loginId, loginResponse: result.loginResponse };
  }

  /**
   * OPAQUE login, last message. Throws LOGIN_FAILED for a wrong password, unknown name or expired login, and
   * ACCOUNT_DISABLED (only once the password proved right) for an account the operator disabled.
   */
  async loginFinish(loginId: Uint8Array, finishLoginRequest: string): Promise<LoginResult> {
    const pending = await this.logins.take(loginId);
    if (pending === undefined || !pending.known) throw new ApiError('LOGIN_FAILED');
    try {
      opaque.server.finishLogin({ serverLoginState: pending.state, finishLoginRequest });
    } catch {
      throw new ApiError('LOGIN_FAILED');
    }
    const account = await this.store.getAccount(pending.account);
    if (account === undefined) throw new ApiError('LOGIN_FAILED');
    if (await this.store.admin.isDisabled(account.name)) throw new ApiError('ACCOUNT_DISABLED');
    const ticket = await this.tickets.issue(account.name);
    return { ticket, expiresAt: this.clock.now() + this.tickets.ttlMs, account };
  }

  /**
   * The account a ticket was issued for; throws UNAUTHENTICATED for an unknown or expired one, and
   * ACCOUNT_DISABLED when the operator disabled the account since.
   */
  async accountOfTicket(ticket: Uint8Array): Promise<string> {
    const name = await this.tickets.peek(ticket);
    if (name === undefined) throw new ApiError('UNAUTHENTICATED', 'A valid login ticket is required.');
    if (await this.store.admin.isDisabled(name)) throw new ApiError('ACCOUNT_DISABLED');
    return name;
  }
}
