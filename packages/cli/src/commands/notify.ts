/**
 * `sotto notify email ADDRESS|verify CODE|status|off`: the account's notification email. The server mails
 * a content-free notice there (no sender, no text) when messages wait while every device is offline or the
 * account shows as busy; the address takes effect once the code mailed to it is entered.
 */
import type { NotificationEmail, SottoClient } from '@sotto/client';
import { positional } from '../args.js';
import type { Command } from '../command.js';
import { usageError } from '../exit-codes.js';
import { withConnection } from '../sdk.js';
import { visibleLine } from '../visible.js';

/** The JSON record of every `notify` action. */
function record(action: string, e: NotificationEmail): Record<string, unknown> {
  return {
    type: 'notify',
    action,
    available: e.available,
    ...(e.address === undefined ? {} : { address: e.address }),
    verified: e.verified,
  };
}

/** One human line describing `e`. */
function describe(e: NotificationEmail): string {
  if (e.address === undefined) {
    return e.available
      ? 'notification emails: off (sotto notify email ADDRESS turns them on)'
      : 'notification emails: this server sends none';
  }
  const address = visibleLine(e.address);
  if (!e.verified)
    return `notification emails: ${address} is waiting for its code (sotto notify verify CODE)`;
  return e.available
    ? `notification emails: on, to ${address}`
    : `notification emails: ${address}, but this server sends no emails now`;
}

type Action = (
  client: SottoClient,
  arg: string | undefined,
) => Promise<{ e: NotificationEmail; line: string }>;

const ACTIONS: Record<string, { readonly arg: string | undefined; readonly run: Action }> = {
  email: {
    arg: 'ADDRESS',
    run: async (c, address) => {
      const e = await c.setNotificationEmail(address ?? '');
      return {
        e,
        line: `a code was mailed to ${visibleLine(e.address ?? '')}: enter it with "sotto notify verify CODE"`,
      };
    },
  },
  verify: {
    arg: 'CODE',
    run: async (c, code) => {
      const e = await c.verifyNotificationEmail(code ?? '');
      return { e, line: describe(e) };
    },
  },
  status: {
    arg: undefined,
    run: async (c) => {
      const e = await c.notificationEmail();
      return { e, line: describe(e) };
    },
  },
  off: {
    arg: undefined,
    run: async (c) => {
      const e = await c.removeNotificationEmail();
      return { e, line: 'notification emails: off (the address is deleted from the server)' };
    },
  },
};

/** The `notify` command. */
export const notify: Command = {
  name: 'notify',
  summary: 'email notifications: set an address, verify it, show status, turn off',
  help: `usage: sotto notify email ADDRESS
       sotto notify verify CODE
       sotto notify status
       sotto notify off

When messages wait while none of your devices is connected, or while your status is busy, the server
can email you a notice that says only that there are new messages: no sender, no text, at most one per
hour (the server's setting). email ADDRESS sets the address (replacing any other) and has the server
mail it a 6-digit code; verify CODE enters it, after which notices go out. status shows the address and
whether it is verified; off deletes it from the server. Refused with exit 5 when the server sends no
email (NOTIFICATIONS_UNAVAILABLE), the code is wrong, expired or used up (VERIFICATION_FAILED: ask for
a new one with email ADDRESS), or too many codes were asked for (RATE_LIMITED).
--json prints {"type":"notify","action","available","address"?,"verified"}.`,
  options: {},
  positionals: { min: 1, max: 2 },
  run: async (ctx) => {
    const sub = positional(ctx.args, 0);
    const action = ACTIONS[sub];
    if (action === undefined) throw usageError(`unknown notify action "${sub}"`);
    const given = ctx.args.positionals.length - 1;
    if (action.arg === undefined && given > 0) throw usageError(`notify ${sub} takes no argument`);
    if (action.arg !== undefined && given !== 1) throw usageError(`notify ${sub} needs ${action.arg}`);
    const arg = ctx.args.positionals[1];
    await withConnection(ctx, async ({ client }) => {
      const { e, line } = await action.run(client, arg);
      ctx.out.emit(line, record(sub, e));
    });
  },
};
