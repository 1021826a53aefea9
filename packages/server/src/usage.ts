/**
 * What `sotto-server --help` prints and the exit codes it documents: every option of {@link FLAGS} with
 * its variable, so the help lists exactly what `parseConfig` accepts.
 */

import { DEFAULT_SERVER_LIMITS } from './config.js';
import { FLAGS, type FlagSpec } from './config-flags.js';

/** The process exit codes of `sotto-server`. */
export const EXIT = {
  /** Stopped cleanly after SIGTERM/SIGINT, or printed `--help` / `--version`. */
  ok: 0,
  /** The server refused or failed to start (or failed while stopping). */
  refused: 1,
  /** A bad option or value: nothing was started. */
  usage: 2,
} as const;

/** `text` in lines of at most about 100 characters, each starting with `indent`. */
function wrap(text: string, indent: string): string[] {
  const out: string[] = [];
  let line = indent;
  for (const word of text.split(' ')) {
    if (line !== indent && line.length + word.length + 1 > 100) {
      out.push(line);
      line = indent;
    }
    line += line === indent ? word : ` ${word}`;
  }
  return [...out, line];
}

/** `name=default` of every limit, several to a line. */
function limitLines(): string[] {
  const out: string[] = [];
  let line = ' ';
  for (const [name, value] of Object.entries(DEFAULT_SERVER_LIMITS)) {
    const item = ` ${name}=${value}`;
    if (line.length + item.length > 100) {
      out.push(line);
      line = ' ';
    }
    line += item;
  }
  return [...out, line];
}

/** The `--help` text (ends with a newline). */
export function usage(): string {
  const lines = [
    'usage: sotto-server [OPTION]...',
    '       sotto-server admin [OPTION]... COMMAND   (accounts, invites, statistics: `sotto-server admin --help`)',
    '',
    'Runs a Sotto server: accounts, key directory, contacts, presence, the relay and encrypted files. Every',
    'option can also be set by the environment variable shown, or in the --config file (its key is the option',
    'without dashes); a flag wins over its variable, a variable over the file.',
    '',
    'Options:',
  ];
  for (const [flag, s] of Object.entries(FLAGS) as [string, FlagSpec][]) {
    const repeat = s.repeatable ? ' (repeatable)' : '';
    lines.push(`  ${flag} ${s.arg}${repeat}   [${s.env}]`, ...wrap(s.help, '      '));
  }
  lines.push(
    '  -h, --help',
    '      Prints this help and exits 0.',
    '  -V, --version',
    '      Prints the version and exits 0.',
    '',
    'Limits (--limit NAME=N; defaults shown, times in milliseconds):',
    ...limitLines(),
    '',
    'Exit codes:',
    `  ${EXIT.ok}  stopped cleanly after SIGTERM or SIGINT (connections drained), or --help / --version`,
    `  ${EXIT.refused}  the server refused or failed to start (for example: the OPAQUE setup does not match the`,
    '     store, the port is taken, the database or Redis does not answer), or failed while stopping',
    `  ${EXIT.usage}  a bad option or value; nothing was started`,
    '',
    'Deployment (TLS, proxies, several nodes, backups): docs/deploy.md.',
  );
  return `${lines.join('\n')}\n`;
}
