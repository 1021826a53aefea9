/**
 * The configuration file (`--config FILE` / `SOTTO_CONFIG`): TOML or JSON, chosen by the extension. Each
 * key is an option of {@link FLAGS} without its dashes (`port`, `public-origin`, `tls-cert`, …) and the
 * limits are a table (`[limits]` in TOML, `"limits": {…}` in JSON). The file only supplies raw values:
 * `parseConfig` validates them with the same rules as flags, under flags and variables. An unknown key, a
 * value of the wrong type, or a file that does not parse is a {@link ConfigError} naming the file and key.
 */
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { ConfigError } from './config-error.js';
import { FLAGS, type Flag, type FlagSpec } from './config-flags.js';

/** A configuration file larger than this is refused unread (it is a few hundred bytes in practice). */
const MAX_FILE_BYTES = 1 << 20;

/** The key of `flag` in a configuration file, or undefined for the flags a file cannot set. */
export function fileKey(flag: Flag): string | undefined {
  if (flag === '--config') return undefined;
  if (flag === '--limit') return 'limits';
  return flag.slice(2);
}

/** Keys whose value may be a number in the file (their flags take numbers). */
const NUMERIC = new Set<Flag>(['--port', '--trust-proxy', '--turn-ttl']);
/** Keys whose value may be a boolean in the file. */
const BOOLEAN = new Set<Flag>(['--trust-proxy']);

const KEYS: ReadonlyMap<string, Flag> = new Map(
  (Object.keys(FLAGS) as Flag[]).flatMap((flag) => {
    const key = fileKey(flag);
    return key === undefined ? [] : [[key, flag] as const];
  }),
);

/** The keys a configuration file may hold, in `--help` order. */
export const FILE_KEYS: readonly string[] = [...KEYS.keys()];

const repeatable = (flag: Flag): boolean => (FLAGS[flag] as FlagSpec).repeatable === true;

const isTable = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** The flag-style text of one scalar value of `flag`, or undefined when its type does not fit. */
function scalar(flag: Flag, v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && NUMERIC.has(flag) && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'boolean' && BOOLEAN.has(flag)) return String(v);
  return undefined;
}

/** What a value of `flag` may be, for an error message. */
function expected(flag: Flag): string {
  if (flag === '--limit') return 'a table of NAME = INTEGER';
  const kinds = ['a string'];
  if (NUMERIC.has(flag)) kinds.push('an integer');
  if (BOOLEAN.has(flag)) kinds.push('true or false');
  const one = kinds.join(' or ');
  return repeatable(flag) ? `${one}, or a list of them` : one;
}

/** The raw values of one key, as a flag would give them. Throws ConfigError on a value of another type. */
function valuesOf(file: string, key: string, flag: Flag, v: unknown): string[] {
  const bad = () => new ConfigError(`${file}: ${key} must be ${expected(flag)}`);
  if (flag === '--limit') {
    if (!isTable(v)) throw bad();
    return Object.entries(v).map(([name, n]) => {
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
        throw new ConfigError(`${file}: limits.${name} must be a whole number`);
      }
      return `${name}=${n}`;
    });
  }
  const items = Array.isArray(v) && repeatable(flag) ? v : [v];
  return items.map((item) => {
    const text = scalar(flag, item);
    if (text === undefined || text === '') throw bad();
    return text;
  });
}

/** The parsed document: TOML or JSON by the extension. Throws ConfigError. */
function parseDocument(file: string, text: string): unknown {
  const ext = extname(file).toLowerCase();
  if (ext === '.json') {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`${file}: not valid JSON (${(err as Error).message})`);
    }
  }
  if (ext === '.toml') {
    try {
      return parseToml(text);
    } catch (err) {
      // The parser's message quotes the offending lines (which may hold a password): only the first
      // sentence and the position are shown.
      if (err instanceof TomlError) {
        const first = err.message.split('\n', 1)[0] ?? 'syntax error';
        throw new ConfigError(`${file}:${err.line}:${err.column}: not valid TOML (${first})`);
      }
      throw new ConfigError(`${file}: not valid TOML`);
    }
  }
  throw new ConfigError(`--config takes a .toml or .json file, got ${file}`);
}

/**
 * Reads the configuration file at `file` into raw values per flag (strings as a flag would give them).
 * Throws {@link ConfigError} when it cannot be read, does not parse, is not a table, holds an unknown key,
 * or a value of the wrong type.
 */
export function readConfigFile(file: string): Map<Flag, string[]> {
  let text: string;
  try {
    if (statSync(file).size > MAX_FILE_BYTES) throw new ConfigError(`${file}: larger than 1 MiB`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(`cannot read the configuration file ${file} (${code})`);
  }
  const doc = parseDocument(file, text);
  if (!isTable(doc)) throw new ConfigError(`${file}: the top level must be a table of options`);
  const out = new Map<Flag, string[]>();
  for (const [key, value] of Object.entries(doc)) {
    const flag = KEYS.get(key);
    if (flag === undefined) {
      throw new ConfigError(`${file}: unknown key ${JSON.stringify(key)} (known: ${FILE_KEYS.join(', ')})`);
    }
    out.set(flag, valuesOf(file, key, flag, value));
  }
  return out;
}
