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
    if (name === undefined) {
      if (rest.includes('--help') || rest.includes('-h')) {
        proc.stdout.write(`${overview(COMMANDS)}\n`);
        return EXIT.OK;
      }
      throw usageError('no command given (see "sotto --help")');
    }
    if (name === 'help') return help(rest, proc);
    const command = find(name);
    if (command.rawArgs === true) {
      const flags = serveFlags(rest);
      if (flags.help) {
        proc.stdout.write(`${commandHelp(command)}\n`);
        return EXIT.OK;
      }
      await command.run(context({ values: {}, positionals: [] }, rest, proc, flags.json));
      return EXIT.OK;
    }
    const args = parseCommandArgs(rest, command.options, command.positionals);
    if (args.values.help === true) {
      proc.stdout.write(`${commandHelp(command)}\n`);
      return EXIT.OK;
    }
    await command.run(context(args, rest, proc, args.values.json === true));
    return EXIT.OK;
  } catch (err) {
    const failure = describeFailure(err);
    const where = name === undefined || failure.exitCode !== EXIT.USAGE ? 'sotto' : `sotto ${name}`;
    out.error(`${where}: ${failure.message} [${failure.code}]`);
    if (proc.env.SOTTO_DEBUG === '1' && err instanceof Error && !(err instanceof CliError)) {
      proc.stderr.write(`${err.stack ?? ''}\n`);
    }
    return failure.exitCode;
  }
}

function find(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) throw usageError(`unknown command "${name}" (see "sotto --help")`);
  return command;
}

function help(rest: readonly string[], proc: CliProcess): number {
  const target = rest.find((a) => !a.startsWith('-'));
  proc.stdout.write(`${target === undefined ? overview(COMMANDS) : commandHelp(find(target))}\n`);
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
