/**
 * `sotto groups create|list|show|add|remove|leave|rename|admin`: group chats on MLS (ADR 0018), like
 * signal-cli's group commands. Changes are commits every member verifies; this device must be an admin
 * to add or remove others, rename, or change admins (the SDK checks, and so does every member).
 * The actions are in group-actions.ts; this file reads the command line.
 */
import { flagOption, listOption, positional } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { usageError } from '../exit-codes.js';
import {
  addAction,
  adminAction,
  createAction,
  leaveAction,
  listAction,
  removeAction,
  renameAction,
  showAction,
} from './group-actions.js';

/** One sub-command: its positional count after the action word, its options, and what it does. */
interface Action {
  readonly args: { readonly min: number; readonly max: number };
  readonly options: readonly string[];
  run(ctx: CommandContext, args: readonly string[]): Promise<void>;
}

const MANY = Number.MAX_SAFE_INTEGER;

const ACTIONS: Readonly<Record<string, Action>> = {
  create: {
    args: { min: 1, max: 1 },
    options: ['member', 'classic'],
    run: (ctx, [name]) =>
      createAction(ctx, name ?? '', listOption(ctx.args, 'member'), flagOption(ctx.args, 'classic')),
  },
  list: { args: { min: 0, max: 0 }, options: [], run: (ctx) => listAction(ctx) },
  show: { args: { min: 1, max: 1 }, options: [], run: (ctx, [id]) => showAction(ctx, id ?? '') },
  add: {
    args: { min: 2, max: MANY },
    options: [],
    run: (ctx, [id, ...names]) => addAction(ctx, id ?? '', names),
  },
  remove: {
    args: { min: 2, max: MANY },
    options: [],
    run: (ctx, [id, ...names]) => removeAction(ctx, id ?? '', names),
  },
  leave: { args: { min: 1, max: 1 }, options: [], run: (ctx, [id]) => leaveAction(ctx, id ?? '') },
  rename: {
    args: { min: 2, max: 2 },
    options: [],
    run: (ctx, [id, name]) => renameAction(ctx, id ?? '', name ?? ''),
  },
  admin: {
    args: { min: 2, max: 2 },
    options: ['revoke'],
    run: (ctx, [id, name]) => adminAction(ctx, id ?? '', name ?? '', !flagOption(ctx.args, 'revoke')),
  },
};

const OWN_OPTIONS = ['member', 'classic', 'revoke'];

/** The `groups` command. */
export const groups: Command = {
  name: 'groups',
  summary: 'create groups, list them, change members, name and admins, or leave',
  help: `usage: sotto groups create NAME [--member ACCOUNT]… [--classic]
       sotto groups list
       sotto groups show GROUP
       sotto groups add GROUP ACCOUNT…
       sotto groups remove GROUP ACCOUNT…
       sotto groups leave GROUP
       sotto groups rename GROUP NAME
       sotto groups admin GROUP ACCOUNT [--revoke]

Group chats end to end encrypted with MLS (RFC 9420): every device of every member is a member, and
members themselves check every change (the server only orders and delivers them).

create makes a group with this account as its admin, this account's other devices, and every device
  of each --member (accepted contacts; repeat --member, or separate names by commas); NAME has 1 to
  128 characters. The default ciphersuite is post-quantum (X-Wing); --classic uses X25519. Prints the
  group's id (#<32 hex>) and members. When a member cannot be added (NO_KEY_PACKAGES: none of their
  devices has connected since it was set up), the group is still created with the others; its id is
  printed and the failure exits 5.
list shows every group of this device: id, name, member count, status (active, left, removed) and
  "admin" where this account is one.
show GROUP shows a group: members with their devices, admins, MLS epoch and ciphersuite.
add, remove: add every device of each ACCOUNT (accepted contacts), or remove them; they can read
  nothing sent before they were added, and nothing sent after they were removed.
leave: this account leaves (all its devices); the group's history stays on this device. The others
  complete the removal when one of them next connects.
rename: a new NAME. admin: make ACCOUNT (a member) an admin; --revoke takes it back (a group keeps
  at least one admin).
Only admins may add or remove others, rename, or change admins (NOT_GROUP_ADMIN, exit 5); anyone may
leave. The creator is the first admin; when the last admin leaves, the longest-standing member is.

GROUP is a group's id (#<32 hex>, or the 32 hex digits) or its name; a name that several groups of
this device have is refused with their ids (GROUP_AMBIGUOUS, exit 2), one that none has is
GROUP_NOT_FOUND (exit 2). list and show read this device's store and do not connect: run
"sotto receive" first to pick up groups this account was added to and changes others made.
Send with "sotto send --group GROUP TEXT" and "sotto send-file --group GROUP PATH", read with
"sotto receive" (group messages read "[HH:MM] [#team] alice: hi"), "sotto history --group GROUP" and
"sotto chat --group GROUP".

Exit codes: 2 for a bad or unknown GROUP, NAME or ACCOUNT (not a member, for remove and admin;
oneself, for remove: use leave); 5 when this account is not an admin (NOT_GROUP_ADMIN), left or
was removed (NOT_A_GROUP_MEMBER), an ACCOUNT is not an accepted contact (NOT_A_CONTACT, BLOCKED),
has no device that can be added now (NO_KEY_PACKAGES), or the group would be too large
(GROUP_TOO_LARGE).
--json: list prints {"type":"groups","groups":[GROUP…]}; every other action prints
{"type":"group-info","action":"create"|"show"|"add"|"remove"|"leave"|"rename"|"admin",…GROUP} where
GROUP is {"id","name","suite":"xwing"|"classic","epoch","status":"active"|"left"|"removed","admin",
"admins":[ACCOUNT…],"members":[{"account","devices":[ID…],"admin"}]}.`,
  options: {
    member: { type: 'string', multiple: true },
    classic: { type: 'boolean' },
    revoke: { type: 'boolean' },
  },
  positionals: { min: 1, max: MANY },
  run: async (ctx) => {
    const word = positional(ctx.args, 0);
    const action = Object.hasOwn(ACTIONS, word) ? ACTIONS[word] : undefined;
    if (action === undefined) throw usageError(`unknown groups action "${word}" (see "sotto help groups")`);
    for (const option of OWN_OPTIONS) {
      if (ctx.args.values[option] !== undefined && !action.options.includes(option))
        throw usageError(`--${option} does not apply to "groups ${word}"`);
    }
    const args = ctx.args.positionals.slice(1);
    if (args.length < action.args.min) throw usageError(`groups ${word}: missing argument`);
    if (args.length > action.args.max)
      throw usageError(`groups ${word}: unexpected argument "${args[action.args.max]}"`);
    await action.run(ctx, args);
  },
};
