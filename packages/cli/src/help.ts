/**
 * The help texts: `sotto --help` lists the commands, the common options and the exit codes;
 * `sotto help NAME` / `sotto NAME --help` prints one command's usage.
 */
import type { Command } from './command.js';

/** The options every command takes, as shown in help. */
export const COMMON_HELP = `Options every command takes:
  --profile DIR         the device's profile directory (SOTTO_PROFILE; default ~/.sotto)
  --server URL          the server (SOTTO_SERVER; remembered by the profile after register/login)
  --password-file FILE  read the password from FILE (SOTTO_PASSWORD); without either, sotto prompts
                        on a terminal and fails (exit 2) when stdin is not a terminal
  --json                machine output: one JSON object per line on stdout
  -h, --help            this help`;

/** The exit codes, as shown in help. */
export const EXIT_HELP = `Exit codes:
  0  success          2  usage (bad arguments, no password source)   4  network (server unreachable)
  1  other failure    3  authentication (wrong name or password)      5  refused (untrusted identity key,
                                                                         weak password, blocked, name taken)
Errors print one line on stderr: "sotto: MESSAGE [CODE]".`;

/** The overview for `sotto --help`. */
export function overview(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `sotto: an end-to-end encrypted messenger for the terminal

usage: sotto COMMAND [ARGS] [OPTIONS]

Commands:
${lines.join('\n')}
  help COMMAND  show a command's usage

${COMMON_HELP}

${EXIT_HELP}`;
}

/** The help of one command. */
export function commandHelp(command: Command): string {
  return command.rawArgs === true ? command.help : `${command.help}\n\n${COMMON_HELP}`;
}
