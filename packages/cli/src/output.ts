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
  /** True for a terminal (`process.stderr.isTTY`): only then is a status line drawn. */
  readonly isTTY?: boolean;
  /** The terminal's width, when known. */
  readonly columns?: number;
}

/** Erases the current terminal line and returns to its start. */
const ERASE_LINE = '\r\u001b[K';

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
  /** True when {@link status} draws anything: human mode with stderr a terminal. */
  readonly live: boolean;
  /** How many columns a status line may use (one less than the terminal's width; 79 when unknown). */
  readonly width: number;
  /**
   * A status line (a progress bar) on stderr, redrawn in place: it replaces the previous one, is cut to
   * the terminal's width, and is erased before any other line is written. Dropped unless {@link live}.
   */
  status(line: string): void;
  /** Erases the status line, if one is shown. */
  clearStatus(): void;
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
  const live = !json && stderr.isTTY === true;
  // One column short of the width: a line that fills it wraps on some terminals, and a wrapped line
  // cannot be redrawn with a carriage return.
  const width = Math.max(20, (stderr.columns || 80) - 1);
  let shown = false;
  /** Erases the status line before anything else is written (stdout may be the same terminal). */
  const clearStatus = () => {
    if (!shown) return;
    shown = false;
    stderr.write(ERASE_LINE);
  };
  const write = (sink: Sink, text: string) => {
    clearStatus();
    sink.write(text);
  };
  return {
    json,
    live,
    width,
    text: (line) => {
      if (!json) write(stdout, `${clean(line)}\n`);
    },
    record: (value) => {
      if (json) stdout.write(`${safeJson(value)}\n`);
    },
    emit: (line, value) => {
      if (json) stdout.write(`${safeJson(value)}\n`);
      else write(stdout, `${clean(line)}\n`);
    },
    note: (line) => {
      if (!json) write(stderr, `${clean(line)}\n`);
    },
    error: (line) => {
      write(stderr, `${clean(line)}\n`);
    },
    art: (block) => {
      if (!json) write(stdout, `${block}\n`);
    },
    status: (line) => {
      if (!live) return;
      stderr.write(`${ERASE_LINE}${[...visibleLine(line)].slice(0, width).join('')}`);
      shown = true;
    },
    clearStatus,
  };
}
