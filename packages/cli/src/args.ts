/**
 * Command-line parsing on `node:util` `parseArgs`: the options every command takes, splitting the command
 * word from the options around it, and typed readers over the parsed values.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { usageError } from './exit-codes.js';

/** An option table in `parseArgs` form. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  profile: { type: 'string' },
  server: { type: 'string' },
  'password-file': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies OptionSpec;

/** Parsed options and positionals of one command line. */
export interface ParsedArgs {
  /** Option values; an option declared with `multiple: true` holds every value given, in order. */
  readonly values: Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
  readonly positionals: readonly string[];
}

const VALUED = new Set(
  Object.entries(COMMON_OPTIONS)
    .filter(([, spec]) => spec.type === 'string')
    .map(([name]) => `--${name}`),
);

/**
 * Finds the command word: the first argument that is neither an option nor the value of a common option,
 * so `sotto --profile p send …` and `sotto send --profile p …` both work. Returns the command and the other
 * arguments in order.
 */
export function splitCommand(argv: readonly string[]): { command: string | undefined; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') break;
    if (VALUED.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    return { command: arg, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { command: undefined, rest: [...argv] };
}

/**
 * Parses `args` against the common options plus `options`. With `--help` or `--version` the positional
 * count is not checked (the command is not run).
 * @throws CliError USAGE on an unknown option, a missing value, or a positional count outside `positionals`.
 */
export function parseCommandArgs(
  args: readonly string[],
  options: OptionSpec,
  positionals: { min: number; max: number },
): ParsedArgs {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...args],
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    }) as { values: Record<string, unknown>; positionals: string[] };
  } catch (err) {
    throw usageError(err instanceof Error ? firstLine(err.message) : 'bad arguments');
  }
  const values: Record<string, string | boolean | readonly string[] | undefined> = {};
  for (const [k, v] of Object.entries(parsed.values)) {
    if (typeof v === 'string' || typeof v === 'boolean') values[k] = v;
    else if (Array.isArray(v)) values[k] = v.filter((x): x is string => typeof x === 'string');
  }
  if (values.help !== true && values.version !== true) {
    const n = parsed.positionals.length;
    if (n < positionals.min) throw usageError('missing argument');
    if (n > positionals.max) throw usageError(`unexpected argument "${parsed.positionals[positionals.max]}"`);
  }
  return { values, positionals: parsed.positionals };
}

function firstLine(text: string): string {
  const ambiguous = /^Option '(--[a-z-]+)[^']*' argument is ambiguous/.exec(text);
  if (ambiguous)
    return `${ambiguous[1]} needs a value; for one that starts with "-", write ${ambiguous[1]}=VALUE`;
  return (text.split('\n')[0] ?? text).replace(/\. To specify a positional argument.*$/, '');
}

/** The string value of option `name`, if given. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

/**
 * Every value of option `name` (declared with `multiple: true`), each also split at commas, so
 * `--member bob --member carol` and `--member bob,carol` mean the same; empty pieces are dropped.
 */
export function listOption(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  const given = typeof v === 'string' ? [v] : Array.isArray(v) ? v : [];
  return given.flatMap((x) => x.split(',')).filter((x) => x.trim() !== '');
}

/** True when boolean option `name` was given. */
export function flagOption(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** The `i`th positional; the caller has already checked the count. */
export function positional(args: ParsedArgs, i: number): string {
  const v = args.positionals[i];
  if (v === undefined) throw usageError('missing argument');
  return v;
}

/**
 * The longest `--timeout`: Node's timers hold at most 2^31 − 1 ms (about 24.8 days); a longer one would
 * fire at once.
 */
export const MAX_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/**
 * Reads a number of seconds ≥ 0 (decimal, e.g. `10` or `2.5`) from option `name`.
 * @throws CliError USAGE when it is anything else, or more than {@link MAX_SECONDS}.
 */
export function secondsOption(args: ParsedArgs, name: string): number | undefined {
  const text = stringOption(args, name);
  if (text === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(text))
    throw usageError(`--${name} must be a number of seconds ≥ 0, not "${text}"`);
  const n = Number(text);
  if (n > MAX_SECONDS) throw usageError(`--${name} must be at most ${MAX_SECONDS} seconds`);
  return n;
}

/**
 * Reads a decimal integer ≥ `min` (digits only: no sign, exponent, hex or spaces).
 * @throws CliError USAGE naming `what` otherwise.
 */
export function integerArg(text: string, what: string, min: number): number {
  const n = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min)) throw usageError(`${what} must be an integer ≥ ${min}, not "${text}"`);
  return n;
}

/**
 * Reads an integer ≥ `min` (default 1) from option `name`.
 * @throws CliError USAGE when it is not one.
 */
export function countOption(args: ParsedArgs, name: string, min = 1): number | undefined {
  const text = stringOption(args, name);
  return text === undefined ? undefined : integerArg(text, `--${name}`, min);
}
