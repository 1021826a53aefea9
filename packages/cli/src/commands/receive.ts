/**
 * `sotto receive`: prints the messages waiting in the profile's inbox (received while offline or while
 * other commands ran), then connects and prints every message, receipt, presence and contact change as it
 * arrives, until `--timeout`, `--count`, stdin closing, or Ctrl-C. Each message is printed once: it leaves
 * the inbox only after it was printed (see inbox.ts).
 */
import type { Message, SottoClient } from '@sotto/client';
import { countOption, flagOption, secondsOption } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { describeFailure } from '../errors.js';
import { inboxReporter } from '../inbox.js';
import { printEvents } from '../listen.js';
import { renderMessage } from '../render.js';
import { connect, withSession } from '../sdk.js';
import { armStop } from '../until.js';

/** The `receive` command. */
export const receive: Command = {
  name: 'receive',
  summary: 'print incoming messages, receipts and presence changes',
  help: `usage: sotto receive [--timeout SECONDS] [--count N] [--mark-read] [--typing]

Prints the messages that are waiting — received while this device was offline, or while another sotto
command ran on this profile (send, contacts, …) — oldest arrival first, then connects and prints events
as they arrive. Every message is printed by exactly one receive (or chat): once printed it no longer
waits, and one not printed yet (e.g. past --count) is printed by the next receive.
It stops, exiting 0:
  --timeout SECONDS  after SECONDS (stdin is then ignored)
  --count N          after N messages were printed (only N leave the inbox)
  otherwise          when stdin closes (Ctrl-D, or the end of a pipe)
  always             on Ctrl-C / SIGTERM
--mark-read sends read receipts for incoming messages (delivery receipts are always sent);
--typing also prints typing indicators.

--json prints one object per line, each with "type":
  {"type":"message","id","conversation","direction":"in"|"out","from","device","text","sentAt",
   "seq","receivedAt","status","error"?}  (sentAt, receivedAt: ms since the epoch; status "pending",
                                         "sent", "delivered", "read" or "failed" with its error code)
  {"type":"receipt","kind":"delivered"|"read","conversation","from","device","messageIds"}
  {"type":"presence","from","state","text"?,"lastSeen"?}
  {"type":"contact","kind","from","state"}
  {"type":"identity-changed","from","verified"}
  {"type":"devices-changed","from","added","removed"}
  {"type":"typing","from","device","typing"}
  {"type":"connection","state":"connecting"|"online"|"offline","server"?}
  {"type":"error","code","message"}`,
  options: {
    timeout: { type: 'string' },
    count: { type: 'string' },
    'mark-read': { type: 'boolean' },
    typing: { type: 'boolean' },
  },
  positionals: { min: 0, max: 0 },
  run: async (ctx) => {
    const timeoutSeconds = secondsOption(ctx.args, 'timeout');
    const count = countOption(ctx.args, 'count');
    const markRead = flagOption(ctx.args, 'mark-read');
    await withSession(ctx, async (session) => {
      const { client } = session;
      const stop = armStop({
        timeoutSeconds,
        stdin: timeoutSeconds === undefined ? ctx.io.stdin : undefined,
        stopped: ctx.stopped,
      });
      const reads = readMarker(client);
      let seen = 0;
      const reporter = inboxReporter(client, {
        done: () => stop.isStopped(),
        report: (m) => {
          const r = renderMessage(m);
          ctx.out.emit(r.line, r.json);
          if (markRead && m.direction === 'in') reads.add(m);
          seen++;
          if (count !== undefined && seen >= count) stop.finish();
        },
      });
      const off = printEvents(client, ctx.out, {
        typing: flagOption(ctx.args, 'typing'),
        messages: false,
        onMessage: () => {
          reporter.drain().catch((err) => fail(ctx, err));
        },
      });
      try {
        // What waited locally first (no network needed), then what the server kept, then live.
        await Promise.race([reporter.drain(), stop.reason]);
        // Read receipts need a connection even when --count was met from the inbox alone.
        if (!stop.isStopped() || reads.pending()) {
          const connecting = connect(session);
          connecting.catch(() => {}); // a failure after a stop is moot; before it, the race below throws it
          await Promise.race([connecting, stop.isStopped() ? connecting : stop.reason]);
        }
        if (!stop.isStopped()) ctx.out.note('receiving… (Ctrl-C to stop)');
        await stop.reason;
        await reporter.drain();
        await reads.flush();
      } finally {
        off();
      }
    });
  },
};

/** Prints a failure of the inbox (a store error) as an `error` record; receiving goes on. */
function fail(ctx: CommandContext, err: unknown): void {
  const f = describeFailure(err);
  ctx.out.emit(`! ${f.message} [${f.code}]`, { type: 'error', code: f.code, message: f.message });
}

/** Collects the incoming messages to mark read, and marks them while connected. */
function readMarker(client: SottoClient) {
  const waiting = new Map<string, string[]>();
  let sending: Promise<void> = Promise.resolve();
  const flush = () => {
    if (!client.online) return sending;
    for (const [conversation, ids] of waiting) {
      sending = sending.then(() => client.markRead(conversation, ids).catch(() => {}));
    }
    waiting.clear();
    return sending;
  };
  client.on('connection', (e) => {
    if (e.state === 'online') void flush();
  });
  return {
    add(m: Message) {
      waiting.set(m.conversation, [...(waiting.get(m.conversation) ?? []), m.id]);
      void flush();
    },
    pending: () => waiting.size > 0,
    flush,
  };
}
