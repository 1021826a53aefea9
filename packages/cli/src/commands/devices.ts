/** `sotto devices list|revoke ID`: this account's devices from its signed device list. */
import { integerArg, positional } from '../args.js';
import type { Command } from '../command.js';
import { usageError } from '../exit-codes.js';
import { withConnection } from '../sdk.js';

/** The `devices` command. */
export const devices: Command = {
  name: 'devices',
  summary: "list this account's devices, or revoke one",
  help: `usage: sotto devices list
       sotto devices revoke ID

list shows each device of the account (from the list signed by the identity key), marking this one.
revoke ID removes device ID: a new signed list without it is published and it is disconnected.
--json: list prints {"type":"devices","devices":[{"deviceId","current","certified","createdAt"?}]};
revoke prints {"type":"revoked","deviceId"}.`,
  options: {},
  positionals: { min: 1, max: 2 },
  run: async (ctx) => {
    const sub = positional(ctx.args, 0);
    if (sub === 'list') {
      if (ctx.args.positionals.length > 1) throw usageError('devices list takes no argument');
      await withConnection(ctx, async ({ client }) => {
        const list = await client.listDevices();
        ctx.out.record({
          type: 'devices',
          devices: list.map((d) => ({
            deviceId: d.deviceId,
            current: d.current,
            certified: d.certified,
            ...(d.createdAt === undefined ? {} : { createdAt: d.createdAt }),
          })),
        });
        for (const d of list) {
          const since = d.createdAt === undefined ? '' : `  since ${new Date(d.createdAt).toISOString()}`;
          ctx.out.text(
            `device ${d.deviceId}${d.current ? ' (this device)' : ''}${d.certified ? '' : '  UNCERTIFIED'}${since}`,
          );
        }
      });
      return;
    }
    if (sub !== 'revoke') throw usageError(`unknown devices action "${sub}"`);
    const idText = ctx.args.positionals[1];
    if (idText === undefined) throw usageError('devices revoke needs a device ID');
    const id = integerArg(idText, 'the device ID', 1);
    await withConnection(ctx, async ({ client }) => {
      await client.revokeDevice(id);
      ctx.out.emit(`revoked device ${id}`, { type: 'revoked', deviceId: id });
    });
  },
};
