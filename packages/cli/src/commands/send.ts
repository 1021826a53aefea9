/** `sotto send NAME TEXT`: one end-to-end encrypted message to every device of NAME and one's own. */
import { positional } from '../args.js';
import type { Command } from '../command.js';
import { checkMessageText, MAX_MESSAGE_CHARS } from '../message-text.js';
import { withConnection } from '../sdk.js';
import { visibleLine } from '../visible.js';

/** The stderr note after a message to a contact who shows as busy. */
export const busyNote = (name: string) =>
  `note: ${visibleLine(name)} is busy; the message is delivered and waits for them`;

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) text += String(chunk);
  return text.replace(/\r?\n$/, '');
}

/** The `send` command. */
export const send: Command = {
  name: 'send',
  summary: 'send a message',
  help: `usage: sotto send NAME TEXT
       sotto send NAME -        (the text is read from stdin)

Encrypts TEXT for every device of NAME and for this account's other devices, and hands it to the
server (delivered later to devices that are offline). TEXT has at most ${MAX_MESSAGE_CHARS} characters
(more is a usage error, exit 2, before anything is sent). Refused with exit 5 when NAME is verified and
their identity key changed (UNTRUSTED_IDENTITY: see "sotto verify --acknowledge"), blocked, or not
a contact. When NAME shows as busy, a note says so on stderr. --json prints
{"type":"sent","to","id","sentAt","recipientBusy"?}; "type":"queued" (still exit 0) when the
connection dropped mid-send: the message is kept and the next sotto command on this profile sends it,
once. Do not send it again.`,
  options: {},
  positionals: { min: 2, max: 2 },
  run: async (ctx) => {
    const name = positional(ctx.args, 0);
    const arg = positional(ctx.args, 1);
    const text = arg === '-' ? await readAll(ctx.io.stdin) : arg;
    checkMessageText(text);
    await withConnection(ctx, async ({ client }) => {
      const r = await client.send(name, text);
      // Queued: the connection dropped mid-send; the next sotto command on this profile sends it again
      // (same id, delivered once). It is kept, not lost, so this is not a failure — but do not resend it.
      if (r.queued) {
        ctx.out.emit(
          `queued for ${visibleLine(name)}: the next sotto command on this profile sends it (do not resend)`,
          {
            type: 'queued',
            to: name,
            id: r.messageId,
            sentAt: r.sentAt,
          },
        );
      } else {
        ctx.out.emit(`sent to ${visibleLine(name)}`, {
          type: 'sent',
          to: name,
          id: r.messageId,
          sentAt: r.sentAt,
          ...(r.recipientBusy === true ? { recipientBusy: true } : {}),
        });
        if (r.recipientBusy === true) ctx.out.note(busyNote(name));
      }
    });
  },
};
