/**
 * `sotto receive`: connects, fetches what waited while offline, and prints every message, receipt,
 * presence and contact change as it arrives, until `--timeout`, `--count`, stdin closing, or Ctrl-C.
 */
import { countOption, flagOption, secondsOption } from '../args.js';
import type { Command } from '../command.js';
import { printEvents } from '../listen.js';
import { connect, withSession } from '../sdk.js';
import { armStop } from '../until.js';

/** The `receive` command. */
export const receive: Command = {
  name: 'receive',
  summary: 'print incoming messages, receipts and presence changes',
  help: `usage: sotto receive [--timeout SECONDS] [--count N] [--mark-read] [--typing]

Connects, receives what waited while this device was offline, then prints events as they arrive.
It stops, exiting 0:
  --timeout SECONDS  after SECONDS (stdin is then ignored)
  --count N          after N messages were printed
  otherwise          when stdin closes (Ctrl-D, or the end of a pipe)
  always             on Ctrl-C / SIGTERM
--mark-read sends read receipts for incoming messages (delivery receipts are always sent);
--typing also prints typing indicators.

--json prints one object per line, each with "type":
  {"type":"message","id","conversation","direction":"in"|"out","from","device","text","sentAt",
   "seq","receivedAt","status"}          (sentAt, receivedAt: ms since the epoch)
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
      let seen = 0;
      const pending: Promise<void>[] = [];
      const off = printEvents(client, ctx.out, {
        typing: flagOption(ctx.args, 'typing'),
        onMessage: (m) => {
          if (markRead && m.direction === 'in') {
            pending.push(client.markRead(m.conversation, [m.id]).catch(() => {}));
          }
          seen++;
          if (count !== undefined && seen >= count) stop.finish();
        },
      });
      try {
        const connecting = connect(session);
        connecting.catch(() => {}); // a failure after a stop is moot; before it, the race below throws it
        await Promise.race([connecting, stop.reason]);
        ctx.out.note('receiving… (Ctrl-C to stop)');
        await stop.reason;
        await Promise.all(pending);
      } finally {
        off();
      }
    });
  },
};
