/** `sotto whoami`: the profile's account, device, server and identity key (public; no network). */
import type { Command } from '../command.js';
import { withSession } from '../sdk.js';

/** Lowercase hex of `bytes`. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** The `whoami` command. */
export const whoami: Command = {
  name: 'whoami',
  summary: "show this profile's account, device and server",
  help: `usage: sotto whoami

Prints the account, this device's id, the server and the account's public identity key (hex).
--json prints {"type":"whoami","account","deviceId","server","identityKey"}.`,
  options: {},
  positionals: { min: 0, max: 0 },
  run: (ctx) =>
    withSession(ctx, async ({ client, server }) => {
      const me = await client.whoami();
      const key = hex(me.identityKey);
      ctx.out.emit(
        `${me.account} (device ${me.deviceId}) on ${server}\nidentity key ${key.replace(/(.{8})/g, '$1 ').trim()}`,
        { type: 'whoami', account: me.account, deviceId: me.deviceId, server, identityKey: key },
      );
    }),
};
