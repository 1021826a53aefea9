/**
 * Where the password comes from: `--password-file FILE`, then `SOTTO_PASSWORD`, then a prompt without echo
 * on a terminal. Without a terminal there is no prompt: the command fails (exit 2) instead of hanging.
 * The password is never printed or put in an error message.
 */
import { readFileSync } from 'node:fs';
import { type ParsedArgs, stringOption } from './args.js';
import { CliError, EXIT, usageError } from './exit-codes.js';

/** A terminal to prompt on; `process.stdin`/`process.stderr` in the binary. */
export interface PromptIo {
  readonly stdin: NodeJS.ReadStream;
  readonly stderr: NodeJS.WriteStream;
}

/** Options for {@link readPassword}. */
export interface PasswordOptions {
  /** Ask twice and require both to match (registration). */
  readonly confirm?: boolean;
}

/**
 * Reads the password.
 * @throws CliError USAGE when the file is unreadable or empty, or no source is given and stdin is no TTY.
 */
export async function readPassword(
  args: ParsedArgs,
  env: Readonly<Record<string, string | undefined>>,
  io: PromptIo,
  options: PasswordOptions = {},
): Promise<string> {
  const file = stringOption(args, 'password-file');
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw usageError(`cannot read the password file ${file}`);
    }
    const password = text.replace(/\r?\n$/, '');
    if (password === '') throw usageError(`the password file ${file} is empty`);
    return password;
  }
  const fromEnv = env.SOTTO_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (io.stdin.isTTY !== true) {
    throw new CliError(
      'NO_PASSWORD',
      'no password: give --password-file FILE or set SOTTO_PASSWORD (stdin is not a terminal, so no prompt)',
      EXIT.USAGE,
    );
  }
  const first = await promptHidden(io, 'Password: ');
  if (first === '') throw usageError('the password is empty');
  if (options.confirm === true) {
    const second = await promptHidden(io, 'Repeat password: ');
    if (second !== first) throw usageError('the passwords do not match');
  }
  return first;
}

/** Prompts on the terminal with echo off; Ctrl-C aborts with exit code 130. */
function promptHidden(io: PromptIo, prompt: string): Promise<string> {
  const { stdin, stderr } = io;
  return new Promise((resolveLine, reject) => {
    let line = '';
    const wasRaw = stdin.isRaw;
    // Echo goes off before the prompt shows, so nothing typed after seeing it can be echoed.
    stdin.setRawMode(true);
    stderr.write(prompt);
    stdin.resume();
    stdin.setEncoding('utf8');
    const finish = (fn: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      stderr.write('\n');
      fn();
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(() => resolveLine(line));
        if (ch === '\u0003')
          return finish(() => reject(new CliError('ABORTED', 'aborted', EXIT.INTERRUPTED)));
        if (ch === '\u0004' && line === '') return finish(() => resolveLine(''));
        if (ch === '\u007f' || ch === '\b') line = line.slice(0, -1);
        else if (ch >= ' ') line += ch;
      }
    };
    stdin.on('data', onData);
  });
}
