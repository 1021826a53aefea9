/** `sotto status online|away|busy|offline [TEXT]`: sets the presence accepted contacts see. */
import type { PresenceState } from '@sotto/client';
import { positional } from '../args.js';
import type { Command } from '../command.js';
import { usageError } from '../exit-codes.js';
import { withConnection } from '../sdk.js';
import { visibleLine } from '../visible.js';

const STATES: readonly PresenceState[] = ['online', 'away', 'busy', 'offline'];

function isState(s: string): s is PresenceState {
  return (STATES as readonly string[]).includes(s);
}

/** The `status` command. */
export const status: Command = {
  name: 'status',
  summary: 'set your presence: online, away, busy or offline, with optional text',
  help: `usage: sotto status online|away|busy|offline [TEXT]

Sets the presence your accepted contacts see while one of your devices is connected (an account with
no device connected shows as offline). --json prints {"type":"status","state","text"?}.`,
  options: {},
  positionals: { min: 1, max: 2 },
  run: async (ctx) => {
    const state = positional(ctx.args, 0);
    if (!isState(state)) throw usageError(`status must be one of ${STATES.join(', ')}`);
    const text = ctx.args.positionals[1];
    await withConnection(ctx, async ({ client }) => {
      await client.setPresence(state, text);
      ctx.out.emit(`status: ${state}${text === undefined ? '' : ` "${visibleLine(text)}"`}`, {
        type: 'status',
        state,
        ...(text === undefined ? {} : { text }),
      });
    });
  },
};
