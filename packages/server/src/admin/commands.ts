/**
 * The commands of `sotto-server admin`, each over the store the server uses: what it changes, and what it
 * shows (lines for a person, one JSON value for a script). They never print a token except the one
 * `tokens create` makes, once.
 */
import { normalizeAccountName, SottoError } from '@sotto/protocol';
import type { ServerConfig } from '../config.js';
import type { BlobStore } from '../modules/files/blob-store.js';
import { inviteHash, inviteId, newInviteToken } from '../modules/operator/invites.js';
import { utcDay } from '../modules/operator/operator-loop.js';
import type { Store } from '../store/store.js';
import { bytes, parseDuration, table, time } from './format.js';

/** A refusal of the command: exit 1 (not found, nothing done) or 2 (bad usage). */
export class AdminError extends Error {
  override readonly name = 'AdminError';

  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

/** What a command shows. */
export interface AdminOutput {
  readonly lines: readonly string[];
  readonly json: unknown;
}

/** What the commands work on. */
export interface AdminContext {
  readonly store: Store;
  readonly config: ServerConfig;
  /** Opens the blob store (only `users delete` needs it). */
  readonly blobs: () => Promise<BlobStore>;
  readonly now: () => number;
  /** The command's options. */
  readonly yes: boolean;
  readonly values: Readonly<Partial<Record<'--uses' | '--expires' | '--note' | '--days', string>>>;
}

/** The account name in `arg`, normalized; exit 2 when it is missing or not a name. */
function accountArg(arg: string | undefined): string {
  if (arg === undefined) throw new AdminError('an account NAME is required', 2);
  try {
    return normalizeAccountName(arg);
  } catch (err) {
    if (SottoError.is(err)) throw new AdminError(`${JSON.stringify(arg)} is not an account name`, 2);
    throw err;
  }
}

const noAccount = (name: string) => new AdminError(`there is no account ${name}`, 1);

/** `users list`. */
export async function usersList(ctx: AdminContext): Promise<AdminOutput> {
  const users = await ctx.store.admin.listAccounts();
  const rows = users.map((u) => [
    u.name,
    String(u.devices),
    u.disabledAt === undefined ? 'active' : `disabled ${time(u.disabledAt)}`,
    time(u.createdAt),
    time(u.lastSeen),
  ]);
  return {
    lines: [...table(['NAME', 'DEVICES', 'STATE', 'CREATED', 'LAST SEEN'], rows), `${users.length} accounts`],
    json: users,
  };
}

/** `users disable NAME` and `users enable NAME`. */
export async function usersSetDisabled(ctx: AdminContext, arg: string | undefined, disabled: boolean) {
  const name = accountArg(arg);
  if (!(await ctx.store.admin.setDisabled(name, disabled, ctx.now()))) throw noAccount(name);
  const secs = Math.ceil(ctx.config.limits.operatorPollMs / 1000);
  return {
    lines: disabled
      ? [
          `Disabled ${name}: it cannot log in or connect. Its connected devices are closed within ${secs} s ` +
            '(close 4004) by every node.',
        ]
      : [`Enabled ${name}: its devices may connect and log in again.`],
    json: { account: name, disabled },
  } satisfies AdminOutput;
}

/** `users delete NAME --yes`. */
export async function usersDelete(ctx: AdminContext, arg: string | undefined): Promise<AdminOutput> {
  const name = accountArg(arg);
  if (!ctx.yes) {
    throw new AdminError(
      `deleting ${name} removes its devices, keys, waiting messages, files and contacts for good: add --yes`,
      2,
    );
  }
  const deleted = await ctx.store.admin.deleteAccount(name, ctx.now());
  if (deleted === undefined) throw noAccount(name);
  // The records are gone; the bytes go now, or with the next collection (fileCollectionIntervalMs).
  let removed = 0;
  if (deleted.files.length > 0) {
    const blobs = await ctx.blobs();
    try {
      for (const id of deleted.files) {
        if (
          await blobs.remove(id).then(
            () => true,
            () => false,
          )
        )
          removed++;
      }
    } finally {
      await blobs.close();
    }
  }
  const left = deleted.files.length - removed;
  return {
    lines: [
      `Deleted ${name}: ${deleted.devices} devices, ${deleted.envelopes} waiting envelopes, ` +
        `${deleted.files.length} files.${left > 0 ? ` ${left} files' bytes are left to the next collection.` : ''}`,
      'Its connected devices are closed (4003) by every node. The name may be registered again.',
    ],
    json: { account: name, ...deleted, files: deleted.files.length, filesLeftToCollect: left },
  };
}

/** `devices list NAME`. */
export async function devicesList(ctx: AdminContext, arg: string | undefined): Promise<AdminOutput> {
  const name = accountArg(arg);
  const devices = await ctx.store.admin.listDevices(name);
  if (devices === undefined) throw noAccount(name);
  const rows = devices.map((d) => [
    String(d.deviceId),
    d.certified ? 'yes' : 'no',
    `${d.prekeys.x25519}/${d.prekeys.mlkem}`,
    String(d.waiting),
    bytes(d.waitingBytes),
    time(d.oldestWaiting),
  ]);
  return {
    lines: table(
      ['DEVICE', 'CERTIFIED', 'PREKEYS X25519/ML-KEM', 'WAITING', 'BYTES', 'OLDEST WAITING'],
      rows,
    ),
    json: { account: name, devices },
  };
}

/** `stats [--days N]`. */
export async function stats(ctx: AdminContext): Promise<AdminOutput> {
  const daysText = ctx.values['--days'] ?? '7';
  const days = /^\d{1,3}$/.test(daysText) ? Number(daysText) : 0;
  if (days < 1 || days > 366) throw new AdminError('--days takes 1..366', 2);
  const now = ctx.now();
  const dayNames = Array.from({ length: days }, (_, i) => utcDay(now - (days - 1 - i) * 86_400_000));
  const [s, counted, nodes] = await Promise.all([
    ctx.store.admin.stats(),
    ctx.store.admin.dailyCounts(dayNames[0] ?? utcDay(now)),
    // A node reports every operatorPollMs; one silent for three rounds is taken for gone.
    ctx.store.admin.nodes(now - 3 * ctx.config.limits.operatorPollMs),
  ]);
  const byDay = new Map(counted.map((d) => [d.day, d]));
  const perDay = dayNames.map((day) => byDay.get(day) ?? { day, sends: 0, envelopes: 0 });
  const online = nodes.reduce((n, node) => n + node.devices, 0);
  const lines = [
    ...table(
      ['WHAT', 'NOW'],
      [
        ['accounts', `${s.accounts} (${s.disabledAccounts} disabled)`],
        ['devices', String(s.devices)],
        ['devices online', `${online} (${nodes.length} ${nodes.length === 1 ? 'node' : 'nodes'} reporting)`],
        ['mailboxes', `${s.envelopes} envelopes waiting, ${bytes(s.envelopeBytes)}`],
        ['files', `${s.files.files} files, ${bytes(s.files.bytes)} (${s.files.uploads} uploads unfinished)`],
        ['database', bytes(s.databaseBytes)],
      ],
    ),
    '',
    'Messages per day (UTC): sends are messages, receipts and typing notices; envelopes one per recipient device.',
    ...table(
      ['DAY', 'SENDS', 'ENVELOPES'],
      perDay.map((d) => [d.day, String(d.sends), String(d.envelopes)]),
    ),
  ];
  return {
    lines,
    json: {
      accounts: s.accounts,
      disabledAccounts: s.disabledAccounts,
      devices: s.devices,
      devicesOnline: online,
      nodes,
      mailboxes: { envelopes: s.envelopes, bytes: s.envelopeBytes },
      files: s.files,
      databaseBytes: s.databaseBytes,
      days: perDay,
    },
  };
}

/** `tokens create [--uses N] [--expires 7d] [--note TEXT]`. */
export async function tokensCreate(ctx: AdminContext): Promise<AdminOutput> {
  const usesText = ctx.values['--uses'] ?? '1';
  const maxUses = /^\d{1,7}$/.test(usesText) ? Number(usesText) : 0;
  if (maxUses < 1) throw new AdminError('--uses takes a whole number of at least 1', 2);
  const ttl = parseDuration(ctx.values['--expires'] ?? '7d');
  if (ttl === undefined) throw new AdminError('--expires takes a duration such as 7d, 12h or 30m', 2);
  const note = ctx.values['--note'];
  if (note !== undefined && (note.length > 200 || /[\p{Cc}]/u.test(note))) {
    throw new AdminError('--note takes up to 200 characters on one line', 2);
  }
  const token = newInviteToken();
  const tokenHash = inviteHash(token);
  const now = ctx.now();
  const invite = { id: inviteId(tokenHash), maxUses, createdAt: now, expiresAt: now + ttl, note };
  await ctx.store.admin.createInvite({ ...invite, tokenHash });
  return {
    lines: [
      token,
      `Invite ${invite.id}: ${maxUses} ${maxUses === 1 ? 'use' : 'uses'}, expires ${time(invite.expiresAt)}` +
        `${note === undefined ? '' : ` (${note})`}.`,
      'The token is shown only now: give it to the person, who registers with `sotto register --invite TOKEN`.',
      ...(ctx.config.registration === 'token'
        ? []
        : [
            `Note: this configuration has --registration ${ctx.config.registration}; invites are asked for ` +
              'only with --registration token.',
          ]),
    ],
    json: { ...invite, token, uses: 0 },
  };
}

/** `tokens list`. */
export async function tokensList(ctx: AdminContext): Promise<AdminOutput> {
  const invites = await ctx.store.admin.listInvites();
  const now = ctx.now();
  const state = (i: (typeof invites)[number]) =>
    i.revokedAt !== undefined
      ? 'revoked'
      : i.uses >= i.maxUses
        ? 'used up'
        : i.expiresAt <= now
          ? 'expired'
          : 'usable';
  const rows = invites.map((i) => [
    i.id,
    state(i),
    `${i.uses}/${i.maxUses}`,
    time(i.createdAt),
    time(i.expiresAt),
    i.note ?? '',
  ]);
  return {
    lines: table(['ID', 'STATE', 'USES', 'CREATED', 'EXPIRES', 'NOTE'], rows),
    json: invites.map((i) => ({ ...i, state: state(i) })),
  };
}

/** `tokens revoke ID`. */
export async function tokensRevoke(ctx: AdminContext, id: string | undefined): Promise<AdminOutput> {
  if (id === undefined || !/^[0-9a-f]{12}$/.test(id)) {
    throw new AdminError('tokens revoke takes an invite ID (12 hex characters, from tokens list)', 2);
  }
  if (!(await ctx.store.admin.revokeInvite(id, ctx.now()))) {
    throw new AdminError(`there is no usable invite ${id} (unknown, or revoked already)`, 1);
  }
  return { lines: [`Revoked invite ${id}.`], json: { id, revoked: true } };
}
