/**
 * `sotto chat NAME` / `sotto chat --group GROUP`: an interactive conversation. Each line typed is sent;
 * incoming messages, receipts, presence (of a contact), group changes and typing indicators appear live
 * above the prompt; shown messages are marked read. Ends on `/quit`, Ctrl-D, Ctrl-C, or the end of piped
 * input (after the pending sends).
 */
import { createInterface, type Interface } from 'node:readline';
import type { SottoClient } from '@sotto/client';
import { countOption } from '../args.js';
import type { Command } from '../command.js';
import { type Conversation, conversationArgs, openConversation } from '../conversation.js';
import { describeFailure } from '../errors.js';
import { GroupDirectory } from '../group-directory.js';
import { printEvents } from '../listen.js';
import { checkMessageText } from '../message-text.js';
import type { Rendered } from '../render.js';
import { clock, renderMessage } from '../render.js';
import { connect, withSession } from '../sdk.js';
import { visibleLine } from '../visible.js';

/** How long after the last keystroke "typing" turns off, in ms. */
const TYPING_IDLE_MS = 4_000;

/** The `chat` command. */
export const chat: Command = {
  name: 'chat',
  summary: 'chat with a contact or in a group interactively',
  help: `usage: sotto chat NAME [--history N]
       sotto chat --group GROUP [--history N]

Opens a conversation with NAME: the last N messages (default 10) and any of NAME's messages still
waiting to be shown (see "sotto receive"), then every line you type is sent.
NAME's messages, receipts, presence and typing appear as they happen; shown messages are marked read.
Type /quit or press Ctrl-D to leave; a message that cannot be sent (e.g. UNTRUSTED_IDENTITY) is
reported and the chat goes on. With piped input, each line is sent and chat ends at the end of the
input, or at the first message that cannot be sent (exiting with its code).
--group GROUP opens a group instead (its id or unambiguous name, see "sotto help groups"): its
messages, receipts, typing and changes (members, name, admins) appear as they happen; exit 5 for a
group this account left or was removed from (NOT_A_GROUP_MEMBER).
--json prints the same objects as "sotto receive --json" plus {"type":"sent","to","id","sentAt","recipientBusy"?}
(with "group":{"id","name"} in a group).`,
  options: { history: { type: 'string' }, group: { type: 'string' } },
  positionals: { min: 0, max: 1 },
  run: async (ctx) => {
    const { target } = conversationArgs(ctx.args, 0);
    const { normalizeAccountName } = await import('@sotto/protocol');
    const contact = target.kind === 'contact' ? normalizeAccountName(target.name) : undefined;
    const historyCount = countOption(ctx.args, 'history', 0) ?? 10;
    return withSession(ctx, async (session) => {
      const { client } = session;
      const conv: Conversation =
        contact === undefined
          ? await openConversation(client, target, { send: true })
          : { id: contact, label: visibleLine(contact) };
      const name = conv.id;
      const groups = new GroupDirectory(client);
      await groups.load();
      const tty = ctx.io.stdin.isTTY === true && ctx.out.json === false;
      const me = await client.whoami();
      let rl: Interface | undefined;
      const print = (r: Rendered) => {
        if (ctx.out.json) return ctx.out.record(r.json);
        if (rl !== undefined && tty) {
          ctx.io.stdout.write('\r\u001b[2K');
          ctx.io.stdout.write(`${r.line}\n`);
          rl.prompt(true);
        } else ctx.out.text(r.line);
      };
      const off = printEvents(client, ctx.out, {
        only: name,
        groups,
        typing: true,
        print: (r) => {
          if (r.json.type === 'connection' && r.json.state === 'connecting') return;
          // Our own sends from this device are printed when `send` resolves.
          if (r.json.type === 'message' && r.json.direction === 'out' && r.json.device === me.deviceId)
            return;
          print(r);
        },
        onMessage: (m) => {
          if (m.direction === 'in') client.markRead(name, [m.id]).catch(() => {});
          // Shown here, so `receive` does not show it again.
          client.clearInbox([m.id]).catch(() => {});
        },
      });
      try {
        // Before connecting (so nothing arrives twice): the waiting messages of this conversation that
        // are older than the last N, then the last N; none of them waits any more.
        const waiting = (await client.inbox()).filter((m) => m.conversation === name);
        const recent = historyCount > 0 ? await client.history(name, { limit: historyCount }) : [];
        const inRecent = new Set(recent.map((m) => m.id));
        for (const m of [...waiting.filter((w) => !inRecent.has(w.id)), ...recent])
          print(renderMessage(m, undefined, conv.group));
        await client.clearInbox(waiting.map((m) => m.id));
        await connect(session);
        const unread = waiting.filter((m) => m.direction === 'in').map((m) => m.id);
        if (unread.length > 0) client.markRead(name, unread).catch(() => {});
        if (conv.group === undefined) {
          const contact = (await client.listContacts()).find((c) => c.account === name);
          if (contact?.presence !== undefined) ctx.out.note(`${name} is ${contact.presence.state}`);
          ctx.out.note(`chatting with ${name} as ${me.account} — /quit or Ctrl-D to leave`);
        } else {
          const n = conv.group.info.members.length;
          ctx.out.note(
            `chatting in ${conv.label} (${n} members) as ${me.account} — /quit or Ctrl-D to leave`,
          );
        }
        await converse(ctx, conv, client, print, tty, (i) => {
          rl = i;
        });
      } finally {
        off();
        await groups.idle();
      }
    });
  },
};

async function converse(
  ctx: Parameters<Command['run']>[0],
  conv: Conversation,
  client: SottoClient,
  print: (r: Rendered) => void,
  tty: boolean,
  setInterface: (rl: Interface) => void,
): Promise<void> {
  const rl = createInterface({
    input: ctx.io.stdin,
    output: ctx.io.stdout,
    terminal: tty,
    prompt: `${conv.label}> `,
  });
  const name = conv.id;
  const group = conv.group === undefined ? {} : { group: { id: conv.group.id, name: conv.group.name } };
  setInterface(rl);
  let queue: Promise<void> = Promise.resolve();
  let failure: unknown;
  let typing = false;
  let idle: NodeJS.Timeout | undefined;
  const setTyping = (on: boolean) => {
    if (idle !== undefined) clearTimeout(idle);
    if (on) idle = setTimeout(() => setTyping(false), TYPING_IDLE_MS);
    if (typing === on) return;
    typing = on;
    client.sendTyping(name, on).catch(() => {});
  };
  if (tty) {
    ctx.io.stdin.on('keypress', (_s: string, key: { name?: string } | undefined) => {
      // Commands (/quit) are not typing; neither is the Enter that sends.
      if (key?.name !== 'return' && key?.name !== 'enter' && !rl.line.startsWith('/')) setTyping(true);
    });
  }
  const closed = new Promise<void>((resolveClosed) => {
    rl.on('close', resolveClosed);
    rl.on('SIGINT', () => rl.close());
    ctx.stopped.then(() => rl.close());
  });
  rl.on('line', (line) => {
    const text = line.trim();
    if (text === '/quit') return rl.close();
    if (text === '') return tty ? rl.prompt() : undefined;
    if (tty) {
      setTyping(false);
      // Replace the echoed input line by the message as it will be shown once sent.
      ctx.io.stdout.write('\u001b[1A\r\u001b[2K');
    }
    queue = queue.then(async () => {
      if (failure !== undefined) return;
      try {
        checkMessageText(text);
        const r = await client.send(name, text);
        const type = r.queued ? 'queued' : 'sent';
        const busy = r.recipientBusy === true ? { recipientBusy: true } : {};
        if (ctx.out.json)
          ctx.out.record({ type, to: name, ...group, id: r.messageId, sentAt: r.sentAt, ...busy });
        else {
          const where = conv.group === undefined ? '' : `[${conv.label}] `;
          print({
            json: { type },
            line: `[${clock(r.sentAt)}] ${where}me: ${visibleLine(text)}${r.queued ? ' (queued)' : r.recipientBusy ? ` (${visibleLine(name)} is busy)` : ''}`,
          });
        }
      } catch (err) {
        if (!tty) {
          failure = err;
          rl.close();
          return;
        }
        // At a terminal the conversation goes on: say why this one was not sent.
        const f = describeFailure(err);
        print({ json: { type: 'error' }, line: `! not sent: ${visibleLine(f.message)} [${f.code}]` });
      }
    });
  });
  if (tty) rl.prompt();
  await closed;
  if (idle !== undefined) clearTimeout(idle);
  await queue;
  if (typing) await client.sendTyping(name, false).catch(() => {});
  if (failure !== undefined) throw failure;
}
