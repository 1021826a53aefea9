/**
 * `sotto-server admin` in this process (the same `runAdmin` the binary runs, on its own store connection),
 * and as the real binary in a child process. Both return the exit code and what was printed.
 */
import { runAdmin } from '../../src/admin/main.js';
import { SERVER_MAIN, spawnChild } from './child-server.js';

/** What one admin command did. */
export interface AdminRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `sotto-server admin ARGS` in-process with `env` (no SOTTO_* variables of this process). */
export async function admin(args: readonly string[], env: Record<string, string> = {}): Promise<AdminRun> {
  let stdout = '';
  let stderr = '';
  const code = await runAdmin(args, env, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

/** Runs `admin ARGS` and parses its `--json` output; fails the test on a non-zero exit. */
export async function adminJson<T = unknown>(args: readonly string[]): Promise<T> {
  const r = await admin([...args, '--json']);
  if (r.code !== 0) throw new Error(`admin ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Runs the real `sotto-server admin ARGS` binary in a child process. */
export async function adminChild(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<AdminRun> {
  const child = spawnChild(SERVER_MAIN, ['admin', ...args], { env });
  const out: string[] = [];
  const err: string[] = [];
  child.process.stdout?.on('data', (d: Buffer) => out.push(d.toString()));
  child.process.stderr?.on('data', (d: Buffer) => err.push(d.toString()));
  const { code } = await child.exited;
  return { code, stdout: out.join(''), stderr: err.join('') };
}
