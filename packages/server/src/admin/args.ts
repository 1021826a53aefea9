/**
 * The command line of `sotto-server admin`: the words of the command (`users list`), the admin's own
 * options, and every server option (`--config`, `--data`, `--store`, …), which are handed to `parseConfig`
 * so the admin opens exactly the database the server uses. Options may stand anywhere.
 */
import { ConfigError } from '../config-error.js';
import { isFlag } from '../config-flags.js';

/** The admin's own options that take a value. */
const VALUED = ['--uses', '--expires', '--note', '--days'] as const;
type Valued = (typeof VALUED)[number];

/** A parsed admin command line. */
export interface AdminArgs {
  /** The command's words and arguments (`['users', 'delete', 'alice']`). */
  readonly words: readonly string[];
  readonly json: boolean;
  readonly yes: boolean;
  readonly help: boolean;
  readonly values: Readonly<Partial<Record<Valued, string>>>;
  /** Server options, for `parseConfig`. */
  readonly serverArgs: readonly string[];
}

const isValued = (flag: string): flag is Valued => (VALUED as readonly string[]).includes(flag);

/** Parses `argv` (after `admin`). Throws {@link ConfigError} on an unknown option or a missing value. */
export function parseAdminArgs(argv: readonly string[]): AdminArgs {
  const words: string[] = [];
  const serverArgs: string[] = [];
  const values: Partial<Record<Valued, string>> = {};
  let json = false;
  let yes = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('-') || arg === '-') {
      words.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    if (flag === '--json' || flag === '--yes' || flag === '--help' || flag === '-h') {
      if (eq >= 0) throw new ConfigError(`${flag} takes no value`);
      if (flag === '--json') json = true;
      else if (flag === '--yes') yes = true;
      else help = true;
      continue;
    }
    if (!isValued(flag) && !isFlag(flag)) throw new ConfigError(`unknown option ${flag} (see --help)`);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new ConfigError(`${flag} needs a value`);
    if (isValued(flag)) values[flag] = value;
    else serverArgs.push(flag, value);
  }
  return { words, json, yes, help, values, serverArgs };
}
