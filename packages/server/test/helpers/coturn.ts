/**
 * A real coturn (Debian's `turnserver`) for tests: started on a free port of 127.0.0.1 (UDP and TCP) with
 * a temporary configuration (`use-auth-secret` with a random `static-auth-secret`, a small relay port
 * range, no TLS, no CLI, loopback peers allowed so two local peers can relay to each other), its log and
 * pid file in a temporary directory. `start` resolves once it answers a STUN Binding request; `stop` ends
 * it and removes the directory. Self-contained (Node built-ins only) so the web tests import it too.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian installs coturn's server. */
export const TURNSERVER = '/usr/sbin/turnserver';

/** True when coturn is installed (`apt-get install coturn`). */
export function hasCoturn(): boolean {
  return existsSync(TURNSERVER);
}

/** Options of {@link TestCoturn.start}. */
export interface CoturnOptions {
  /** The `static-auth-secret` (default: 32 random hex characters). */
  readonly secret?: string;
  /** The realm (default `sotto.test`). */
  readonly realm?: string;
  /** Relay ports to reserve (default 64, from a random range above 20000). */
  readonly relayPorts?: number;
  /** How long to wait for it to answer, in milliseconds (default 20 s). */
  readonly timeoutMs?: number;
}

/** A TCP port free on 127.0.0.1 whose UDP port is free too, right now. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const a = srv.address();
        srv.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
}

/** A STUN Binding request (RFC 8489 §5), 20 bytes, with a random transaction id. */
function bindingRequest(): Buffer {
  const m = Buffer.alloc(20);
  m.writeUInt16BE(0x0001, 0);
  m.writeUInt32BE(0x2112a442, 4);
  randomBytes(12).copy(m, 8);
  return m;
}

/** True when a STUN server answers a Binding request on UDP `port` of 127.0.0.1 within `ms`. */
function stunAnswers(port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const done = (ok: boolean) => {
      clearTimeout(timer);
      s.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    s.on('message', (msg) => done(msg.length >= 20 && msg.readUInt16BE(0) === 0x0101));
    s.on('error', () => done(false));
    s.send(bindingRequest(), port, '127.0.0.1');
  });
}

/** A running coturn. */
export class TestCoturn {
  private exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    /** The temporary directory (configuration, log, pid file, user database). */
    readonly dir: string,
    /** The UDP and TCP port it listens on (127.0.0.1). */
    readonly port: number,
    /** Its `static-auth-secret`: give it to the Sotto server as `--turn-secret`. */
    readonly secret: string,
    readonly realm: string,
    /** The first and last relay port. */
    readonly relayPorts: { readonly min: number; readonly max: number },
  ) {
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
  }

  /**
   * Starts coturn and waits until it answers STUN. Throws when `turnserver` is missing or does not answer
   * within the timeout (the error carries the end of its log).
   */
  static async start(options: CoturnOptions = {}): Promise<TestCoturn> {
    const secret = options.secret ?? randomBytes(16).toString('hex');
    const realm = options.realm ?? 'sotto.test';
    const count = options.relayPorts ?? 64;
    const timeoutMs = options.timeoutMs ?? 20_000;
    const dir = mkdtempSync(join(tmpdir(), 'sotto-coturn-'));
    const port = await freePort();
    // Relay ranges of parallel test runs rarely overlap; coturn skips ports it cannot bind anyway.
    const min = 20_000 + Math.floor(Math.random() * 400) * 100;
    const relayPorts = { min, max: min + count - 1 };
    const conf = [
      'listening-ip=127.0.0.1',
      'relay-ip=127.0.0.1',
      `listening-port=${port}`,
      `min-port=${relayPorts.min}`,
      `max-port=${relayPorts.max}`,
      'use-auth-secret',
      `static-auth-secret=${secret}`,
      `realm=${realm}`,
      'no-tls',
      'no-dtls',
      'no-cli',
      'no-rfc5780',
      'no-software-attribute',
      'allow-loopback-peers',
      'no-multicast-peers',
      `userdb=${join(dir, 'turndb')}`,
      `log-file=${join(dir, 'turn.log')}`,
      'simple-log',
      'no-stdout-log',
      `pidfile=${join(dir, 'turn.pid')}`,
      'verbose',
    ];
    writeFileSync(join(dir, 'turnserver.conf'), `${conf.join('\n')}\n`, { mode: 0o600 });
    const bin = existsSync(TURNSERVER) ? TURNSERVER : 'turnserver';
    const child = spawn(bin, ['-c', join(dir, 'turnserver.conf')], { stdio: 'ignore' });
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    const turn = new TestCoturn(child, dir, port, secret, realm, relayPorts);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const failed = await Promise.race([spawnError, stunAnswers(port, 250)]);
      // The answer must come from this coturn (its own log says it listens), not another on a reused port.
      if (failed === true && turn.log().includes(`UDP listener opened on: 127.0.0.1:${port}`)) return turn;
      if (failed instanceof Error || child.exitCode !== null || Date.now() > deadline) {
        const log = turn.log().split('\n').slice(-15).join('\n');
        await turn.stop();
        const why = failed instanceof Error ? failed.message : `exit ${child.exitCode ?? 'none'}`;
        throw new Error(`coturn did not start (${why}; apt-get install coturn):\n${log}`);
      }
    }
  }

  /** `turn:127.0.0.1:PORT?transport=udp` (`tcp` for TURN over TCP). */
  turnUrl(transport: 'udp' | 'tcp' = 'udp'): string {
    return `turn:127.0.0.1:${this.port}?transport=${transport}`;
  }

  /** `stun:127.0.0.1:PORT`. */
  get stunUrl(): string {
    return `stun:127.0.0.1:${this.port}`;
  }

  /** Its log so far (empty if none yet). */
  log(): string {
    const file = join(this.dir, 'turn.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /** Stops coturn (SIGTERM, then SIGKILL after 3 s) and removes its directory. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 3_000);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
