/**
 * The notification part of the {@link Store} port: at most one email address per account, its verification
 * code (only a hash of it), and when a content-free notification is due. The address is personal data: it
 * is stored here and nowhere else (never logged), and deleted with `remove`. Every step that more than one
 * node could race on is one conditional statement, so across nodes sharing PostgreSQL a code is tried at
 * most the allowed number of times and a due notification is taken by exactly one node.
 */

/** An account's address as recorded. Times are ms since the epoch. */
export interface NotifyEmail {
  readonly account: string;
  readonly address: string;
  /** True once the code mailed to the address was confirmed: notifications go out only then. */
  readonly verified: boolean;
  /** When the last notification was mailed; undefined before the first. */
  readonly notifiedAt: number | undefined;
  /** When a notification is due; undefined when none is scheduled. */
  readonly dueAt: number | undefined;
}

/** A verification code as recorded: the hash of the code and its expiry. */
export interface PendingCode {
  /** SHA-256 over the account and the code (the code itself is never stored). */
  readonly hash: Uint8Array;
  readonly expiresAt: number;
}

/** A notification a node took to send: whom, where, and since when messages wait. */
export interface DueNotification {
  readonly account: string;
  readonly address: string;
  /** The receive time of the message that scheduled it: only messages from then on count as waiting. */
  readonly waitingSince: number;
}

/** Notification addresses in the store (SQLite or PostgreSQL). */
export interface NotifyRecords {
  get(account: string): Promise<NotifyEmail | undefined>;
  /**
   * Records `address` for `account`, unverified, with a fresh code (replacing any address, code or
   * schedule before; the time of the last notification is kept so a new address cannot shorten the
   * window between two).
   */
  setAddress(account: string, address: string, code: PendingCode): Promise<void>;
  /**
   * Counts one try of the account's code and returns its hash when the try was allowed: an unverified
   * address with a code that had tries left (fewer than `maxAttempts` counted) and had not expired at `now`.
   * Undefined otherwise (no address, already verified, expired, or out of tries). Atomic: of tries racing,
   * at most `maxAttempts` are allowed in all.
   */
  tryCode(account: string, now: number, maxAttempts: number): Promise<Uint8Array | undefined>;
  /** Marks the address verified when its code still hashes to `hash` (used once); false otherwise. */
  confirm(account: string, hash: Uint8Array): Promise<boolean>;
  /** Deletes the account's address (and any schedule); false when there was none. */
  remove(account: string): Promise<boolean>;
  /**
   * Schedules a notification for a verified address: due at `dueAt`, but not before `windowMs` after the
   * last one. One already scheduled stays, unless this one is due sooner (then it moves up, keeping when
   * messages began to wait); `waitingSince` is when the message that asked for it was received. True when
   * this call scheduled it or moved it up; false when the address is unverified or missing, or one is due
   * no later already.
   */
  schedule(account: string, waitingSince: number, dueAt: number, windowMs: number): Promise<boolean>;
  /**
   * Takes up to `limit` notifications due at `now` (soonest first), unscheduling them: each is taken by
   * exactly one caller, also across nodes.
   */
  takeDue(now: number, limit: number): Promise<DueNotification[]>;
  /** Records that a notification to the account was mailed at `at`. */
  notified(account: string, at: number): Promise<void>;
  /** The soonest time a notification is due; undefined when none is scheduled. */
  nextDue(): Promise<number | undefined>;
}
