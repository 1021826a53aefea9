/**
 * `sotto verify NAME`: marks NAME's identity key verified after comparing safety numbers;
 * `--acknowledge` accepts NAME's changed key (which is then unverified) so sending works again.
 */
import { flagOption, positional } from '../args.js';
import type { Command } from '../command.js';
import { withConnection } from '../sdk.js';

/** The `verify` command. */
export const verify: Command = {
  name: 'verify',
  summary: "mark a contact's identity verified, or acknowledge a changed key",
  help: `usage: sotto verify NAME
       sotto verify NAME --acknowledge

Without --acknowledge: marks NAME's current identity key as verified (do this after comparing the
safety number). If the key of a verified contact changes later, sending to them is refused (exit 5,
UNTRUSTED_IDENTITY) until you run with --acknowledge, which accepts the new key as unverified;
compare the new safety number, then verify again.
--json prints {"type":"verified"|"acknowledged","name"}.`,
  options: { acknowledge: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  run: (ctx) =>
    withConnection(ctx, async ({ client }) => {
      const name = positional(ctx.args, 0);
      if (flagOption(ctx.args, 'acknowledge')) {
        await client.acknowledgeIdentityChange(name);
        ctx.out.emit(
          `acknowledged ${name}'s new identity key (unverified: compare "sotto safety-number ${name}", then "sotto verify ${name}")`,
          { type: 'acknowledged', name },
        );
        return;
      }
      await client.markVerified(name);
      ctx.out.emit(`${name} is verified`, { type: 'verified', name });
    }),
};
