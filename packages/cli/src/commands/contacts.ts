/**
 * `sotto contacts add|accept|decline|remove|block|unblock NAME` and `sotto contacts list`: contact
 * requests like XMPP subscriptions; presence is shared only between accepted contacts.
 */
import type { Contact, SottoClient } from '@sotto/client';
import { positional } from '../args.js';
import type { Command } from '../command.js';
import { usageError } from '../exit-codes.js';
import { withConnection } from '../sdk.js';
import { visibleLine } from '../visible.js';

type Action = (client: SottoClient, name: string) => Promise<void>;

const ACTIONS: Record<string, { readonly run: Action; readonly done: string }> = {
  add: { run: (c, n) => c.requestContact(n), done: 'asked {} to become a contact' },
  accept: { run: (c, n) => c.acceptContact(n), done: 'accepted {}' },
  decline: { run: (c, n) => c.declineContact(n), done: 'declined {}' },
  remove: { run: (c, n) => c.removeContact(n), done: 'removed {}' },
  block: { run: (c, n) => c.blockContact(n), done: 'blocked {}' },
  unblock: { run: (c, n) => c.unblockContact(n), done: 'unblocked {}' },
};

/** The JSON shape of one contact in `contacts list --json`. */
export function contactJson(c: Contact): Record<string, unknown> {
  return {
    name: c.account,
    state: c.state,
    verified: c.verified,
    identityChanged: c.identityChanged,
    presence:
      c.presence === undefined
        ? null
        : {
            state: c.presence.state,
            ...(c.presence.text === undefined ? {} : { text: c.presence.text }),
            ...(c.presence.lastSeen === undefined ? {} : { lastSeen: c.presence.lastSeen }),
          },
  };
}

function contactLine(c: Contact): string {
  const presence =
    c.presence === undefined
      ? ''
      : `  ${c.presence.state}${c.presence.text === undefined || c.presence.text === '' ? '' : ` "${visibleLine(c.presence.text)}"`}`;
  const trust = c.identityChanged ? '  KEY CHANGED' : c.verified ? '  verified' : '';
  return `${visibleLine(c.account).padEnd(20)} ${c.state.padEnd(9)}${presence}${trust}`;
}

/** The `contacts` command. */
export const contacts: Command = {
  name: 'contacts',
  summary: 'add, accept, decline, remove, block, unblock or list contacts',
  help: `usage: sotto contacts add|accept|decline|remove|block|unblock NAME
       sotto contacts list

add asks NAME to become a contact; NAME accepts or declines. Accepted contacts see each other's
presence and may message. block refuses NAME's requests and messages (they are told BLOCKED).
list shows each contact's state (outgoing, incoming, accepted, blocked), presence and verification.
--json: actions print {"type":"contact","action","name"}; list prints
{"type":"contacts","contacts":[{"name","state","verified","identityChanged","presence":null|{"state","text"?,"lastSeen"?}}]}.`,
  options: {},
  positionals: { min: 1, max: 2 },
  run: async (ctx) => {
    const sub = positional(ctx.args, 0);
    if (sub === 'list') {
      if (ctx.args.positionals.length > 1) throw usageError('contacts list takes no NAME');
      await withConnection(ctx, async ({ client }) => {
        const list = await client.listContacts();
        if (ctx.out.json) ctx.out.record({ type: 'contacts', contacts: list.map(contactJson) });
        else if (list.length === 0) ctx.out.text('no contacts');
        else for (const c of list) ctx.out.text(contactLine(c));
      });
      return;
    }
    const action = ACTIONS[sub];
    if (action === undefined) throw usageError(`unknown contacts action "${sub}"`);
    if (ctx.args.positionals.length !== 2) throw usageError(`contacts ${sub} needs a NAME`);
    const name = positional(ctx.args, 1);
    await withConnection(ctx, async ({ client }) => {
      await action.run(client, name);
      ctx.out.emit(action.done.replace('{}', visibleLine(name)), { type: 'contact', action: sub, name });
    });
  },
};
