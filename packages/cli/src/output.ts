/**
 * Where commands write: human text or JSON lines on stdout, progress and errors on stderr. The only module
 * that writes to the terminal, so `--json` output is never mixed with prose. As a last line of defence,
 * nothing written here reaches the terminal raw: human lines keep their line breaks but every other
 * control or bidi character is escaped, and JSON escapes them too (see visible.ts). The commands render
 * untrusted text with visible.ts themselves, so a message's line breaks cannot forge a line.
 */
import { safeJson, visibleLine } from './visible.js';

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
  /** Terminal graphics made here (the QR code, with its colour sequences), as is; human mode only. */
  art(block: string): void;
}

/** Human text with its line breaks kept and nothing else unsafe (see visible.ts). */
function clean(text: string): string {
  return text
    .split('\n')
    .map((line) => visibleLine(line))
    .join('\n');
}

/** Builds an {@link Output} over two sinks. */
export function createOutput(stdout: Sink, stderr: Sink, json: boolean): Output {
  return {
    json,
    text: (line) => {
      if (!json) stdout.write(`${clean(line)}\n`);
    },
    record: (value) => {
      if (json) stdout.write(`${safeJson(value)}\n`);
    },
    emit: (line, value) => {
      stdout.write(json ? `${safeJson(value)}\n` : `${clean(line)}\n`);
    },
    note: (line) => {
      if (!json) stderr.write(`${clean(line)}\n`);
    },
    error: (line) => {
      stderr.write(`${clean(line)}\n`);
    },
    art: (block) => {
      if (!json) stdout.write(`${block}\n`);
    },
  };
}
