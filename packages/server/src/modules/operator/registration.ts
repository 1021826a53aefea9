/**
 * Who may register (`--registration`): `open` lets anyone, `token` only holders of an operator-issued
 * invite, `closed` nobody. `register/start` only checks; `register/finish` takes one use of the invite,
 * after the device list and certificate verified, and gives it back if the account could not be created,
 * so a refused registration costs no use.
 */
import type { Clock } from '../../clock.js';
import type { RegistrationMode } from '../../config.js';
import { ApiError } from '../../errors.js';
import type { AdminRecords } from '../../store/admin-records.js';
import { inviteHash } from './invites.js';

/** Gives back what {@link RegistrationPolicy.take} took. */
export type Release = () => Promise<void>;

const nothing: Release = async () => {};

/** The registration policy of one server. */
export class RegistrationPolicy {
  constructor(
    readonly mode: RegistrationMode,
    private readonly admin: AdminRecords,
    private readonly clock: Clock,
  ) {}

  /** Throws REGISTRATION_CLOSED or INVITE_INVALID unless a registration with `invite` may begin. */
  async check(invite: string | undefined): Promise<void> {
    if (this.mode === 'open') return;
    if (this.mode === 'closed') throw new ApiError('REGISTRATION_CLOSED');
    if (invite === undefined || !(await this.admin.inviteUsable(inviteHash(invite), this.clock.now()))) {
      throw new ApiError('INVITE_INVALID');
    }
  }

  /**
   * Takes what a registration uses up (one use of the invite in `token` mode) and returns how to give it
   * back. Throws REGISTRATION_CLOSED or INVITE_INVALID.
   */
  async take(invite: string | undefined): Promise<Release> {
    if (this.mode === 'open') return nothing;
    if (this.mode === 'closed') throw new ApiError('REGISTRATION_CLOSED');
    const id =
      invite === undefined ? undefined : await this.admin.useInvite(inviteHash(invite), this.clock.now());
    if (id === undefined) throw new ApiError('INVITE_INVALID');
    return () => this.admin.releaseInvite(id);
  }
}
