/** `sotto safety-number NAME`: the 60 digits to compare with NAME, and a terminal QR code of them. */
import { flagOption, positional } from '../args.js';
import type { Command } from '../command.js';
import { digitRows, terminalQr } from '../qr.js';
import { withConnection } from '../sdk.js';
import { hex } from './whoami.js';

/** The `safety-number` command. */
export const safetyNumber: Command = {
  name: 'safety-number',
  summary: 'show the safety number to compare with a contact (digits and QR code)',
  help: `usage: sotto safety-number NAME [--no-qr]

Prints the 60-digit safety number of your conversation with NAME in groups of five, and a QR code
of it. NAME sees the same number; compare them in person or over a call, then run "sotto verify NAME".
--json prints {"type":"safety-number","name","digits","groups","qrPayload"} (qrPayload in hex).`,
  options: { 'no-qr': { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  run: (ctx) =>
    withConnection(ctx, async ({ client }) => {
      const name = positional(ctx.args, 0);
      const sn = await client.safetyNumber(name);
      ctx.out.record({
        type: 'safety-number',
        name,
        digits: sn.digits,
        groups: [...sn.groups],
        qrPayload: hex(sn.qrPayload),
      });
      ctx.out.text(`Safety number with ${name}:\n`);
      for (const row of digitRows(sn.digits)) ctx.out.text(`    ${row}`);
      if (!flagOption(ctx.args, 'no-qr')) ctx.out.art(`\n${await terminalQr(sn.qrPayload)}`);
      ctx.out.text(`Compare it with ${name}; if it matches, run "sotto verify ${name}".`);
    }),
};
