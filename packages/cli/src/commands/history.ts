/**
 * `sotto history NAME` / `sotto history --group GROUP`: the locally stored conversation, oldest first
 * (no network).
 */
import { countOption } from '../args.js';
import type { Command } from '../command.js';
import { conversationArgs, openConversation } from '../conversation.js';
import { renderMessage } from '../render.js';
import { withSession } from '../sdk.js';

/** The `history` command. */
export const history: Command = {
  name: 'history',
  summary: 'show the stored conversation with a contact or a group',
  help: `usage: sotto history NAME [--limit N]
       sotto history --group GROUP [--limit N]

Prints the conversation with NAME, or of group GROUP (its id or unambiguous name, see "sotto help
groups"), as stored on this device (the latest N messages, default 100), ordered by the sender's
time; outgoing messages show their status (sent, delivered, read). A group's messages read
"[HH:MM] [#team] alice: hi"; the history of a group this account left or was removed from stays.
Run "sotto receive" first to fetch what waited on the server.
--json prints one {"type":"message",…} object per line, as "sotto receive" does (with
"group":{"id","name"} for a group).`,
  options: { limit: { type: 'string' }, group: { type: 'string' } },
  positionals: { min: 0, max: 1 },
  run: (ctx) => {
    const { target } = conversationArgs(ctx.args, 0);
    const limit = countOption(ctx.args, 'limit');
    return withSession(ctx, async ({ client }) => {
      const c = await openConversation(client, target, { send: false });
      const messages = await client.history(c.id, limit === undefined ? {} : { limit });
      if (messages.length === 0)
        ctx.out.note(`no messages ${c.group === undefined ? 'with' : 'in'} ${c.label}`);
      for (const m of messages) {
        const r = renderMessage(m, undefined, c.group);
        ctx.out.emit(r.line, r.json);
      }
    });
  },
};
