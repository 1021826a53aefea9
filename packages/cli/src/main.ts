/**
 * The composition root of `sotto`: picks the command, parses its arguments, runs it with the process's
 * streams, and turns any failure into one stderr line and an exit code.
 */
import { parseCommandArgs, splitCommand } from './args.js';
import type { Command, CommandContext } from './command.js';
import { COMMANDS } from './commands/index.js';
import { serveFlags } from './commands/serve.js';
import { describeFailure } from './errors.js';
import { CliError, EXIT, usageError } from './exit-codes.js';
import { commandHelp, overview } from './help.js';
import { createOutput } from './output.js';
import type { PromptIo } from './password.js';
import { version } from './version.js';
import { visibleLine } from './visible.js';

/** The process the CLI runs in; `process` itself in the binary. */
export interface CliProcess extends PromptIo {
  readonly stdout: NodeJS.WriteStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves on SIGINT/SIGTERM. */
  readonly stopped: Promise<void>;
}

/** Runs `sotto` with `argv` (without `node` and the script); returns the exit code. */
export async function main(argv: readonly string[], proc: CliProcess): Promise<number> {
  const { command: name, rest } = splitCommand(argv);
  const out = createOutput(proc.stdout, proc.stderr, false);
  try {
    if (name === undefined || name === 'help') return overviewOrHelp(name, rest, proc);
    const command = find(name);
    if (command.rawArgs === true) {
      const flags = serveFlags(rest);
      if (flags.version) return printVersion(proc, flags.json);
      if (flags.help) return printText(proc, commandHelp(command));
      await command.run(context({ values: {}, positionals: [] }, rest, proc, flags.json));
      return EXIT.OK;
    }
    const args = parseCommandArgs(rest, command.options, command.positionals);
    const json = args.values.json === true;
    if (args.values.version === true) return printVersion(proc, json);
    if (args.values.help === true) return printText(proc, commandHelp(command));
    await command.run(context(args, rest, proc, json));
    return EXIT.OK;
  } catch (err) {
    const failure = describeFailure(err);
    const where = name === undefined || failure.exitCode !== EXIT.USAGE ? 'sotto' : `sotto ${name}`;
    out.error(`${where}: ${visibleLine(failure.message)} [${failure.code}]`);
    if (proc.env.SOTTO_DEBUG === '1' && err instanceof Error && !(err instanceof CliError)) {
      proc.stderr.write(`${err.stack ?? ''}\n`);
    }
    return failure.exitCode;
  }
}

/** `sotto [--help|--version]` and `sotto help [COMMAND]`: only the common options are accepted. */
function overviewOrHelp(name: 'help' | undefined, rest: readonly string[], proc: CliProcess): number {
  const args = parseCommandArgs(rest, {}, { min: 0, max: name === 'help' ? 1 : 0 });
  if (args.values.version === true) return printVersion(proc, args.values.json === true);
  const target = args.positionals[0];
  if (target !== undefined) return printText(proc, commandHelp(find(target)));
  if (name === undefined && args.values.help !== true)
    throw usageError('no command given (see "sotto --help")');
  return printText(proc, overview(COMMANDS));
}

function find(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) throw usageError(`unknown command "${name}" (see "sotto --help")`);
  return command;
}

/** Prints `sotto X.Y.Z` (with `--json`: `{"type":"version","version"}`); exit 0. */
function printVersion(proc: CliProcess, json: boolean): number {
  const v = version();
  proc.stdout.write(json ? `${JSON.stringify({ type: 'version', version: v })}\n` : `sotto ${v}\n`);
  return EXIT.OK;
}

/** Prints a help text; exit 0. */
function printText(proc: CliProcess, text: string): number {
  proc.stdout.write(`${text}\n`);
  return EXIT.OK;
}

function context(
  args: CommandContext['args'],
  raw: readonly string[],
  proc: CliProcess,
  json: boolean,
): CommandContext {
  return {
    args,
    env: proc.env,
    out: createOutput(proc.stdout, proc.stderr, json),
    io: proc,
    raw,
    stopped: proc.stopped,
  };
}
