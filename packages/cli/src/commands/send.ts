/**
 * `sotto send NAME TEXT` / `sotto send --group GROUP TEXT`: one end-to-end encrypted message to every
 * device of NAME and one's own, or to a group (encrypted once with its MLS state, sent once).
 */
import type { Command } from '../command.js';
import { type Conversation, conversationArgs, openConversation } from '../conversation.js';
import { checkMessageText, MAX_MESSAGE_CHARS } from '../message-text.js';
import { connect, withSession } from '../sdk.js';
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
  summary: 'send a message to a contact or a group',
  help: `usage: sotto send NAME TEXT
       sotto send --group GROUP TEXT
       sotto send NAME -        (the text is read from stdin)

Encrypts TEXT for every device of NAME and for this account's other devices, and hands it to the
server (delivered later to devices that are offline). TEXT has at most ${MAX_MESSAGE_CHARS} characters
(more is a usage error, exit 2, before anything is sent). Refused with exit 5 when NAME is verified and
their identity key changed (UNTRUSTED_IDENTITY: see "sotto verify --acknowledge"), blocked, or not
a contact. When NAME shows as busy, a note says so on stderr. --json prints
{"type":"sent","to","id","sentAt","recipientBusy"?}; "type":"queued" (still exit 0) when the
connection dropped mid-send: the message is kept and the next sotto command on this profile sends it,
once. Do not send it again.

--group GROUP sends to a group instead (see "sotto help groups"): GROUP is its id (#<32 hex>, or
the 32 hex digits), or its name when no other group of this device has that name (else exit 2 with
the candidates, GROUP_AMBIGUOUS). The message is encrypted once for every member device. Exit 2 for
an unknown group (GROUP_NOT_FOUND), 5 for a group this account left or was removed from
(NOT_A_GROUP_MEMBER). --json adds "group":{"id","name"} and "to" is the group's id.`,
  options: { group: { type: 'string' } },
  positionals: { min: 1, max: 2 },
  run: async (ctx) => {
    const { target, rest } = conversationArgs(ctx.args, 1);
    const arg = rest[0] ?? '';
    const text = arg === '-' ? await readAll(ctx.io.stdin) : arg;
    checkMessageText(text);
    await withSession(ctx, async (session) => {
      const { client } = session;
      // The group is looked up before connecting: an unknown one is a usage error even offline.
      const to: Conversation = await openConversation(client, target, { send: true });
      await connect(session);
      const r = await client.send(to.id, text);
      const group = to.group === undefined ? {} : { group: { id: to.group.id, name: to.group.name } };
      // Queued: the connection dropped mid-send; the next sotto command on this profile sends it again
      // (same id, delivered once). It is kept, not lost, so this is not a failure — but do not resend it.
      if (r.queued) {
        ctx.out.emit(
          `queued for ${to.label}: the next sotto command on this profile sends it (do not resend)`,
          { type: 'queued', to: to.id, ...group, id: r.messageId, sentAt: r.sentAt },
        );
      } else {
        ctx.out.emit(`sent to ${to.label}`, {
          type: 'sent',
          to: to.id,
          ...group,
          id: r.messageId,
          sentAt: r.sentAt,
          ...(r.recipientBusy === true ? { recipientBusy: true } : {}),
        });
        if (r.recipientBusy === true) ctx.out.note(busyNote(to.id));
      }
    });
  },
};
