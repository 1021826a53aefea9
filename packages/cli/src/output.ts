/**
 * Where commands write: human text or JSON lines on stdout, progress and errors on stderr. The only module
 * that writes to the terminal, so `--json` output is never mixed with prose.
 */

/** Anything with a `write(string)`: `process.stdout`, or a buffer in tests. */
export interface Sink {
  write(chunk: string): unknown;
}

/** The output of one command run. */
export interface Output {
  /** True when `--json` was given. */
  readonly json: boolean;
  /** One human line on stdout; dropped in `--json` mode. */
  text(line: string): void;
  /** One JSON object on one stdout line; dropped in human mode. */
  record(value: object): void;
  /** A human line in human mode, or the JSON object in `--json` mode. */
  emit(line: string, value: object): void;
  /** A progress or notice line on stderr (human mode only, so scripts see clean stdout). */
  note(line: string): void;
  /** One error line on stderr, in both modes. */
  error(line: string): void;
}

/** Builds an {@link Output} over two sinks. */
export function createOutput(stdout: Sink, stderr: Sink, json: boolean): Output {
  return {
    json,
    text: (line) => {
      if (!json) stdout.write(`${line}\n`);
    },
    record: (value) => {
      if (json) stdout.write(`${JSON.stringify(value)}\n`);
    },
    emit: (line, value) => {
      stdout.write(json ? `${JSON.stringify(value)}\n` : `${line}\n`);
    },
    note: (line) => {
      if (!json) stderr.write(`${line}\n`);
    },
    error: (line) => {
      stderr.write(`${line}\n`);
    },
  };
}
