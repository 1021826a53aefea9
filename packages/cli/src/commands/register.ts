/**
 * `sotto register --name NAME [--invite TOKEN]`: creates an account with this profile as its first device
 * (with the operator's invite on a server that registers only with one). Shows the
 * password's strength with suggestions (refusing a weak one, exit 5, unless `--allow-weak-password`) and
 * the key-generation progress, then remembers the server and name in the profile.
 */
import type { PasswordStrength, ProgressEvent } from '@sotto/client';
import { flagOption, stringOption } from '../args.js';
import type { Command } from '../command.js';
import { CliError, EXIT, usageError } from '../exit-codes.js';
import type { Output } from '../output.js';
import { readPassword } from '../password.js';
import { serverUrl } from '../profile.js';
import { withNewProfile } from '../sdk.js';

/** What each completed step means (the SDK reports a step once it is finished). */
const STEP_TEXT: Record<ProgressEvent['step'], string> = {
  password: 'password checked',
  identity: 'identity key generated',
  device: 'device keys generated and certified',
  opaque: 'password registered (OPAQUE: the server never sees it)',
  backup: 'identity key backup encrypted',
  upload: 'account published',
  prekeys: 'prekeys generated and published',
  done: 'done',
};

/** Prints the strength meter and suggestions (stderr, human mode). */
export function showStrength(out: Output, s: PasswordStrength): void {
  const bar = `${'█'.repeat(s.score + 1)}${'░'.repeat(4 - s.score)}`;
  out.note(`Password strength: ${bar} ${s.score}/4${s.weak ? ' (weak)' : ''}`);
  if (s.warning !== '') out.note(`  ${s.warning}`);
  for (const hint of s.suggestions) out.note(`  - ${hint}`);
}

/** The `register` command. */
export const register: Command = {
  name: 'register',
  summary: 'create an account (this profile becomes its first device)',
  help: `usage: sotto register --name NAME [--invite TOKEN] [--allow-weak-password] [--unattended]

Creates the account NAME on the server; keys are generated on this device. A server that registers only
with an invite (its operator's \`sotto-server admin tokens create\`) needs --invite TOKEN (or SOTTO_INVITE);
without a good one it refuses (exit 5, INVITE_INVALID), and a closed server always does
(REGISTRATION_CLOSED). Shows the password's
strength (0-4) with suggestions and refuses a weak one (exit 5, WEAK_PASSWORD) unless
--allow-weak-password. Remembers the server and name in the profile.
The profile is encrypted at rest under a key wrapped with the password, so every later command needs
the password; --unattended keeps that key in a file in the profile instead (for bots and services:
the key file is then as sensitive as the profile).
--json prints {"type":"registered","account","deviceId","server","strength":{"score","weak","warning","suggestions"}}.`,
  options: {
    name: { type: 'string' },
    invite: { type: 'string' },
    'allow-weak-password': { type: 'boolean' },
    unattended: { type: 'boolean' },
  },
  positionals: { min: 0, max: 0 },
  run: async (ctx) => {
    const name = stringOption(ctx.args, 'name');
    if (name === undefined) throw usageError('--name NAME is required');
    const server = serverUrl(ctx.args, ctx.env, undefined);
    const password = await readPassword(ctx.args, ctx.env, ctx.io, { confirm: true });
    const allowWeak = flagOption(ctx.args, 'allow-weak-password');
    const invite = stringOption(ctx.args, 'invite') ?? (ctx.env.SOTTO_INVITE || undefined);
    const protection = flagOption(ctx.args, 'unattended') ? 'keyfile' : 'password';
    // Checked before any key is generated or anything is sent.
    const { checkPassword } = await import('@sotto/client');
    const strength = checkPassword(password, [name, new URL(server).hostname]);
    showStrength(ctx.out, strength);
    if (strength.weak && !allowWeak) {
      throw new CliError(
        'WEAK_PASSWORD',
        'the password is too weak (see the suggestions); choose another or pass --allow-weak-password',
        EXIT.REFUSED,
      );
    }
    const { result } = await withNewProfile(ctx, { password, store: protection }, ({ client }) =>
      client.register({
        name,
        password,
        allowWeakPassword: allowWeak,
        ...(invite === undefined ? {} : { invite }),
        onProgress: (p) => ctx.out.note(`[${p.done}/${p.total}] ${STEP_TEXT[p.step]}`),
      }),
    );
    ctx.out.emit(`Registered ${result.account} (device ${result.deviceId}) on ${server}`, {
      type: 'registered',
      account: result.account,
      deviceId: result.deviceId,
      server,
      strength: {
        score: result.strength.score,
        weak: result.strength.weak,
        warning: result.strength.warning,
        suggestions: [...result.strength.suggestions],
      },
    });
  },
};
