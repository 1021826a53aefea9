/** `sotto history NAME`: the locally stored conversation with NAME, oldest first (no network). */
import { countOption, positional } from '../args.js';
import type { Command } from '../command.js';
import { renderMessage } from '../render.js';
import { withSession } from '../sdk.js';

/** The `history` command. */
export const history: Command = {
  name: 'history',
  summary: 'show the stored conversation with a contact',
  help: `usage: sotto history NAME [--limit N]

Prints the conversation with NAME as stored on this device (the latest N messages, default 100),
ordered by the sender's time; outgoing messages show their status (sent, delivered, read).
Run "sotto receive" first to fetch what waited on the server.
--json prints one {"type":"message",…} object per line, as "sotto receive" does.`,
  options: { limit: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  run: (ctx) => {
    const name = positional(ctx.args, 0);
    const limit = countOption(ctx.args, 'limit');
    return withSession(ctx, async ({ client }) => {
      const messages = await client.history(name, limit === undefined ? {} : { limit });
      if (messages.length === 0) ctx.out.note(`no messages with ${name}`);
      for (const m of messages) {
        const r = renderMessage(m);
        ctx.out.emit(r.line, r.json);
      }
    });
  },
};
