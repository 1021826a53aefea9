/** Runs the real `sotto` terminal client (from source) in a child process. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../../cli/src/bin.ts', import.meta.url));

/** A finished run. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `sotto args…` to completion (stdin closed at once; `SOTTO_*` of the runner not inherited). */
export function sotto(args: readonly string[]): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SOTTO_')) env[k] = v;
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', BIN, ...args], {
    cwd: ROOT,
    env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  child.stdin.end();
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `sotto` and throws with its stderr unless it exits 0. */
export async function sottoOk(args: readonly string[]): Promise<CliResult> {
  const r = await sotto(args);
  if (r.code !== 0) throw new Error(`sotto ${args[0] ?? ''} exited ${r.code}: ${r.stderr.trim()}`);
  return r;
}

/** The JSON records of `--json` output. */
export function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
