/**
 * The shape of one `sotto` command: its name, help text, extra options and positional count, and `run`.
 * Commands get everything through {@link CommandContext}; none reaches for `process` itself.
 */
import type { OptionSpec, ParsedArgs } from './args.js';
import type { Output } from './output.js';
import type { PromptIo } from './password.js';

/** What a command runs with. */
export interface CommandContext {
  readonly args: ParsedArgs;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: Output;
  /** The terminal: stdin, stdout, stderr. */
  readonly io: PromptIo & { readonly stdout: NodeJS.WriteStream };
  /** The raw arguments after the command word (for `serve`, which hands them to the server's parser). */
  readonly raw: readonly string[];
  /** Resolves when the user asks to stop: SIGINT, SIGTERM. */
  readonly stopped: Promise<void>;
}

/** One command. */
export interface Command {
  readonly name: string;
  /** One line for `sotto --help`. */
  readonly summary: string;
  /** Usage lines, options and notes for `sotto help NAME`. */
  readonly help: string;
  readonly options: OptionSpec;
  readonly positionals: { readonly min: number; readonly max: number };
  /** When true, arguments are not parsed by the CLI but passed raw (see `serve`). */
  readonly rawArgs?: boolean;
  run(ctx: CommandContext): Promise<void>;
}
