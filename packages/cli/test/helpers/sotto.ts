/**
 * Runs the real `sotto` binary in a child process: `node --conditions=source --import tsx
 * packages/cli/src/bin.ts …` from the repository root, so `@sotto/*` load from the packages' sources (no
 * build step, never a stale dist/). SOTTO_* variables of the test runner are not inherited.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../src/bin.ts', import.meta.url));

/**
 * A fresh directory for one test file's files; created on first use (from a `beforeAll`), so a run that
 * skips the file leaves nothing behind.
 */
export function tempRoot(prefix: string): { readonly path: string; create(): void } {
  const path = join(tmpdir(), `sotto-cli-${prefix}-${randomUUID()}`);
  return { path, create: () => mkdirSync(path, { recursive: true, mode: 0o700 }) };
}

/** The result of a finished run. */
export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of a run. */
export interface RunOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** Written to stdin, which is then closed. Default: stdin closed at once. */
  readonly input?: string;
}

function childEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SOTTO_')) env[k] = v;
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Starts `sotto args…`; the caller owns the child. */
export function spawnSotto(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--conditions=source', '--import', 'tsx', BIN, ...args], {
    cwd: ROOT,
    env: childEnv(env),
  });
}

const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;

/**
 * Starts `sotto args…` on a pseudo-terminal (util-linux `script`), so it sees a TTY on stdin and stdout:
 * what the test writes to the child's stdin is typed at the terminal.
 */
export function spawnInTty(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): ChildProcessWithoutNullStreams {
  const command = [process.execPath, '--conditions=source', '--import', 'tsx', BIN, ...args]
    .map(quote)
    .join(' ');
  return spawn('script', ['-qfec', command, '/dev/null'], { cwd: ROOT, env: childEnv(env) });
}

/** A terminal session: everything the child printed, and a way to wait for some text. */
export class Terminal {
  private text = '';
  private waiters: Array<{ needle: string; resolve: () => void }> = [];
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    const onData = (d: Buffer) => {
      this.text += d.toString('utf8');
      this.waiters = this.waiters.filter((w) => {
        if (!this.text.includes(w.needle)) return true;
        w.resolve();
        return false;
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    this.exited = new Promise((resolveExit) => child.on('close', resolveExit));
  }

  /** Everything shown so far (with control sequences). */
  get output(): string {
    return this.text;
  }

  /** Resolves once `needle` has been shown. */
  waitFor(needle: string): Promise<void> {
    if (this.text.includes(needle)) return Promise.resolve();
    return new Promise((resolveWait) => this.waiters.push({ needle, resolve: resolveWait }));
  }

  /** Types `keys` at the terminal. */
  type(keys: string): void {
    this.child.stdin.write(keys);
  }
}

/** Runs `sotto args…` to completion. */
export function runSotto(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const child = spawnSotto(args, options.env);
  return collect(child, options.input ?? '');
}

/** Collects a child's output until it exits. */
export function collect(child: ChildProcessWithoutNullStreams, input?: string): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  if (input !== undefined) child.stdin.end(input);
  return new Promise((resolveRun, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

/**
 * A running `sotto` whose stdout is JSON lines: every line is kept from the start, so a test can wait for
 * a record that may already have arrived.
 */
export class JsonStream {
  readonly records: Record<string, unknown>[] = [];
  private stderrText = '';
  private buffer = '';
  private waiters: Array<{
    test: (r: Record<string, unknown>) => boolean;
    resolve: (r: Record<string, unknown>) => void;
    reject: (e: Error) => void;
  }> = [];
  private exitCode: number | null | undefined;
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8').on('data', (d: string) => this.onData(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      this.stderrText += d;
    });
    this.exited = new Promise((resolveExit) => {
      child.on('close', (code) => {
        this.exitCode = code;
        for (const w of this.waiters)
          w.reject(new Error(`sotto exited (${code}) first; stderr: ${this.stderrText}`));
        this.waiters = [];
        resolveExit(code);
      });
    });
  }

  /** What the child wrote to stderr so far. */
  get stderr(): string {
    return this.stderrText;
  }

  /** The first record (past or future) that passes `test`; rejects if the child exits first. */
  waitFor(test: (r: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    const found = this.records.find(test);
    if (found !== undefined) return Promise.resolve(found);
    if (this.exitCode !== undefined)
      return Promise.reject(new Error(`sotto exited (${this.exitCode}); stderr: ${this.stderrText}`));
    return new Promise((resolve, reject) => this.waiters.push({ test, resolve, reject }));
  }

  /** Closes stdin and waits for the exit code. */
  end(): Promise<number | null> {
    this.child.stdin.end();
    return this.exited;
  }

  private onData(d: string): void {
    this.buffer += d;
    let nl = this.buffer.indexOf('\n');
    while (nl >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      nl = this.buffer.indexOf('\n');
      if (line.trim() === '') continue;
      const record = JSON.parse(line) as Record<string, unknown>;
      this.records.push(record);
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(record)) return true;
        w.resolve(record);
        return false;
      });
    }
  }
}

/** Parses JSON-lines output; throws (failing the test) on a line that is not a JSON object. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const v: unknown = JSON.parse(l);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`not an object: ${l}`);
      return v as Record<string, unknown>;
    });
}
