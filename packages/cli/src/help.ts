/**
 * The help texts: `sotto --help` lists the commands, the common options and the exit codes;
 * `sotto help NAME` / `sotto NAME --help` prints one command's usage.
 */
import type { Command } from './command.js';
import { MAX_MESSAGE_CHARS } from './message-text.js';

/** The options every command takes, as shown in help. */
export const COMMON_HELP = `Options every command takes:
  --profile DIR         the device's profile directory (SOTTO_PROFILE; default ~/.sotto)
  --server URL          the server (SOTTO_SERVER; remembered by the profile after register/login)
  --password-file FILE  read the password from FILE (SOTTO_PASSWORD); without either, sotto prompts
                        on a terminal and fails (exit 2) when stdin is not a terminal
  --json                machine output: one JSON object per line on stdout
  -h, --help            this help
  --version             print the version ("sotto X.Y.Z") and exit 0`;

/** The exit codes, as shown in help (the values of {@link EXIT}). */
export const EXIT_HELP = `Exit codes:
  0    success (also --help and --version)
  1    other failure (e.g. the profile is in use by another sotto: PROFILE_IN_USE; a downloaded file
       that fails its integrity check: FILE_INTEGRITY; a file the server no longer has: FILE_NOT_FOUND)
  2    usage: unknown command or option, missing or extra argument, a bad number (--timeout, --count,
       --limit, --history, a device ID), a message that is empty or longer than ${MAX_MESSAGE_CHARS} characters,
       no password source without a terminal, no account in the profile, a file to send that is
       missing, unreadable or a directory, a directory to save to that cannot be written, an unknown
       message ID (MESSAGE_NOT_FOUND), a path to save to that exists (FILE_EXISTS), an unknown group
       (GROUP_NOT_FOUND) or a group name several groups have (GROUP_AMBIGUOUS); nothing is sent
  3    authentication: wrong name or password (LOGIN_FAILED), wrong profile password (STORAGE_WRONG_KEY),
       the server no longer accepts this device, the operator disabled the account (ACCOUNT_DISABLED)
  4    network: the server cannot be reached, or the connection failed
  5    refused: untrusted (changed) identity key, weak password, blocked, not a contact, name taken,
       the profile already holds an account, a file over the server's limit (FILE_TOO_LARGE) or the
       account's quota (QUOTA_EXCEEDED), a group change only admins may make (NOT_GROUP_ADMIN), a group
       this account left or was removed from (NOT_A_GROUP_MEMBER), an account with no device that can
       be added to a group now (NO_KEY_PACKAGES), a group that would be too large (GROUP_TOO_LARGE),
       registration closed (REGISTRATION_CLOSED) or an invite needed (INVITE_INVALID)
  130  interrupted with Ctrl-C: at a prompt, or a file transfer (cancelled: CANCELLED)
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
