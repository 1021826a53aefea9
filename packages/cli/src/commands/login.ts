/**
 * `sotto login --name NAME`: adds this profile as a new device of an existing account with the name and
 * password alone (the identity key comes from the encrypted backup), then remembers server and name.
 */
import { flagOption, stringOption } from '../args.js';
import type { Command } from '../command.js';
import { usageError } from '../exit-codes.js';
import { readPassword } from '../password.js';
import { withNewProfile } from '../sdk.js';

/** The `login` command. */
export const login: Command = {
  name: 'login',
  summary: 'add this profile as a new device of an existing account',
  help: `usage: sotto login --name NAME [--device-name LABEL] [--unattended]

Logs in to NAME with the password alone and certifies this profile as a new device; the account's
contacts are told. A wrong name or password exits 3 (LOGIN_FAILED). --unattended as for register.
--json prints {"type":"logged-in","account","deviceId","server"}.`,
  options: { name: { type: 'string' }, 'device-name': { type: 'string' }, unattended: { type: 'boolean' } },
  positionals: { min: 0, max: 0 },
  run: async (ctx) => {
    const name = stringOption(ctx.args, 'name');
    if (name === undefined) throw usageError('--name NAME is required');
    const password = await readPassword(ctx.args, ctx.env, ctx.io);
    const protection = flagOption(ctx.args, 'unattended') ? 'keyfile' : 'password';
    const deviceName = stringOption(ctx.args, 'device-name');
    const { result, settings } = await withNewProfile(ctx, { password, store: protection }, ({ client }) =>
      client.login({ name, password, ...(deviceName === undefined ? {} : { deviceName }) }),
    );
    ctx.out.emit(`Logged in as ${result.account} (device ${result.deviceId}) on ${settings.server}`, {
      type: 'logged-in',
      account: result.account,
      deviceId: result.deviceId,
      server: settings.server,
    });
  },
};
