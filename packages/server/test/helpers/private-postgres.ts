/**
 * A throwaway PostgreSQL cluster of the test's own, which the test may stop, crash and restart (the shared
 * test server on 127.0.0.1:5432 serves every other test file running in parallel, so it must never be
 * restarted). Built with Debian's server binaries (`/usr/lib/postgresql/<version>/bin`, the highest
 * version found; `SOTTO_TEST_PG_BIN` overrides the directory) in a temp dir: listening on 127.0.0.1 on a
 * free port, its unix socket in the temp dir, trust authentication, `fsync` and `synchronous_commit` on
 * (durability is what the tests check), small shared buffers.
 *
 * initdb and postgres refuse to run as root: as root (CI), they run as the `postgres` system user
 * (`runuser`), which owns the temp dir. A process `exit` hook stops (immediate mode) any cluster left
 * running, so a failing test leaves no stray postmaster behind.
 */
import { execFile, spawnSync } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { freePort } from './child-server.js';
import { describeWith, type Service } from './services.js';

const BINARIES = ['initdb', 'pg_ctl', 'postgres'] as const;

/** The directory holding initdb, pg_ctl and postgres, or undefined when there is none. */
export function postgresBinDir(): string | undefined {
  const override = process.env.SOTTO_TEST_PG_BIN;
  const candidates: string[] = [];
  if (override !== undefined) candidates.push(override);
  else {
    const root = '/usr/lib/postgresql';
    const versions = existsSync(root)
      ? readdirSync(root)
          .filter((v) => /^\d+(\.\d+)?$/.test(v))
          .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
      : [];
    for (const v of versions) candidates.push(join(root, v, 'bin'));
  }
  return candidates.find((dir) => BINARIES.every((b) => existsSync(join(dir, b))));
}

/** Why a private cluster cannot be made here, or undefined when it can. */
export function privatePostgresMissing(): string | undefined {
  if (postgresBinDir() === undefined) {
    return `no PostgreSQL server binaries (${BINARIES.join(', ')}) under ${
      process.env.SOTTO_TEST_PG_BIN ?? '/usr/lib/postgresql/<version>/bin'
    }`;
  }
  if (process.getuid?.() === 0 && postgresUser() === undefined)
    return 'running as root and no `postgres` user';
  return undefined;
}

/** The `postgres` system user's uid and gid, when there is one. */
function postgresUser(): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * {@link describeWith} `services`, plus the binaries of a private cluster: when they are missing, the
 * suite fails under `CI` and is skipped (saying why) otherwise.
 */
export async function describeWithPrivatePostgres(
  services: readonly Service[],
  name: string,
  body: () => void,
): Promise<void> {
  const reason = privatePostgresMissing();
  if (reason === undefined) return describeWith(services, name, body);
  if (process.env.CI) {
    describe(name, () => {
      it('needs the PostgreSQL server binaries', () => {
        throw new Error(`${reason}; CI is set, so this suite fails instead of skipping`);
      });
    });
  } else describe.skip(`${name} (skipped: ${reason})`, body);
}

/** How pg_ctl stops the server: `immediate` kills it (crash recovery at the next start), `fast` checkpoints. */
export type StopMode = 'immediate' | 'fast';

const running = new Set<PrivatePostgres>();
process.on('exit', () => {
  for (const p of running) p.stopSync();
});

/** One private cluster. Create with {@link PrivatePostgres.start}. */
export class PrivatePostgres {
  private up = false;

  private constructor(
    private readonly bin: string,
    /** The temp dir: data in `data/`, the unix socket and the server log beside it. */
    readonly dir: string,
    readonly port: number,
    private readonly asUser: boolean,
  ) {}

  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  private get logFile(): string {
    return join(this.dir, 'server.log');
  }

  /** Creates a cluster in a fresh temp dir and starts it; throws (with initdb's output) when it cannot. */
  static async start(): Promise<PrivatePostgres> {
    const missing = privatePostgresMissing();
    if (missing !== undefined) throw new Error(missing);
    const bin = postgresBinDir() as string;
    const dir = mkdtempSync(join(tmpdir(), 'sotto-pg-'));
    const root = process.getuid?.() === 0;
    if (root) {
      const user = postgresUser() as { uid: number; gid: number };
      chownSync(dir, user.uid, user.gid);
    }
    const pgsql = new PrivatePostgres(bin, dir, await freePort(), root);
    try {
      // --no-sync: a throwaway cluster need not survive an OS crash while it is made; the server below
      // runs with fsync on.
      await pgsql.run('initdb', [
        '-D',
        pgsql.data,
        '-U',
        'postgres',
        '-A',
        'trust',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
      ]);
      const conf = join(pgsql.data, 'postgresql.conf');
      writeFileSync(
        conf,
        `${readFileSync(conf, 'utf8')}
# sotto test settings
listen_addresses = '127.0.0.1'
port = ${pgsql.port}
unix_socket_directories = '${dir}'
fsync = on
synchronous_commit = on
full_page_writes = on
shared_buffers = 16MB
max_connections = 40
`,
      );
      await pgsql.startServer();
    } catch (err) {
      await pgsql.stop();
      throw err;
    }
    return pgsql;
  }

  /**
   * Stops the server (`mode`), keeps it down `downMs` (default 0), and starts it again on the same port
   * and data; resolves once it accepts connections (after crash recovery, for `immediate`).
   */
  async restart(options: { mode: StopMode; downMs?: number }): Promise<void> {
    await this.stopServer(options.mode);
    if (options.downMs) await new Promise((r) => setTimeout(r, options.downMs));
    await this.startServer();
  }

  /** Stops the server (immediate mode) and removes the temp dir. */
  async stop(): Promise<void> {
    if (this.up) await this.stopServer('immediate').catch(() => this.stopSync());
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Stops the server at once, synchronously (for the process exit hook). */
  stopSync(): void {
    if (!this.up) return;
    const [cmd, args] = this.command('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
    spawnSync(cmd, args, { cwd: this.dir, stdio: 'ignore' });
    this.up = false;
    running.delete(this);
  }

  private async startServer(): Promise<void> {
    running.add(this);
    this.up = true;
    await this.run('pg_ctl', ['-D', this.data, '-l', this.logFile, '-w', '-t', '60', 'start']);
  }

  private async stopServer(mode: StopMode): Promise<void> {
    await this.run('pg_ctl', ['-D', this.data, '-m', mode, '-w', '-t', '60', 'stop']);
    this.up = false;
    running.delete(this);
  }

  /** The command line that runs `tool` (as the `postgres` user when we are root). */
  private command(tool: string, args: readonly string[]): [string, string[]] {
    const path = join(this.bin, tool);
    return this.asUser ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, [...args]];
  }

  /** Runs `tool`; rejects with its output and the server log's tail when it fails. */
  private run(tool: string, args: readonly string[]): Promise<void> {
    const [cmd, argv] = this.command(tool, args);
    return new Promise((resolve, reject) => {
      execFile(cmd, argv, { cwd: this.dir, timeout: 90_000 }, (err, stdout, stderr) => {
        if (err === null) return resolve();
        let log = '';
        try {
          log = readFileSync(this.logFile, 'utf8').slice(-2_000);
        } catch {
          // No log yet.
        }
        reject(new Error(`${tool} failed: ${err.message}\n${stdout}${stderr}\n${log}`));
      });
    });
  }
}
