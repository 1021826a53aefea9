/**
 * The files an operator deploys with, checked the way a linter would (the image cannot be built here):
 * the Dockerfile (multi-stage, pinned bases, no remote ADD, a non-root USER, a HEALTHCHECK on /healthz, the
 * data directory a volume), deploy/compose.yaml (parses; server, PostgreSQL and Redis with healthchecks,
 * the server waiting for both, every SOTTO_* variable one the server knows), the systemd unit (hardened,
 * its command line accepted by the server), the example configuration (accepted by the server), and the
 * LICENSE the package declares.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { FLAGS } from '../src/config-flags.js';
import { parseYamlSubset, type YamlValue } from './helpers/yaml-subset.js';

const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const read = (path: string) => readFileSync(root(path), 'utf8');

/** Dockerfile instructions: continuation lines joined, comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [op = '', ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

const KNOWN_VARIABLES = new Set(Object.values(FLAGS).map((f) => f.env));

describe('Dockerfile', () => {
  const ins = instructions(read('Dockerfile'));
  const froms = ins.filter((i) => i.op === 'FROM');
  const finalStart = ins.lastIndexOf(froms.at(-1) ?? { op: '', args: '' });
  const final = ins.slice(finalStart);

  it('is multi-stage on pinned node:20 slim images', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const f of froms) {
      const image = f.args.split(/\s+/)[0] ?? '';
      expect(image, f.args).toMatch(/^node:20\.\d+\.\d+-[a-z]+-slim(@sha256:[0-9a-f]{64})?$/);
    }
    expect(froms[0]?.args).toMatch(/\bAS build$/i);
  });

  it('fetches nothing by ADD, installs without recommends and leaves no apt lists', () => {
    expect(ins.filter((i) => i.op === 'ADD')).toEqual([]);
    for (const run of ins.filter((i) => i.op === 'RUN' && i.args.includes('apt-get install'))) {
      expect(run.args).toContain('--no-install-recommends');
      expect(run.args).toContain('rm -rf /var/lib/apt/lists/*');
    }
    expect(ins.some((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args))).toBe(true);
  });

  it('runs sotto-server as a non-root user, with a health check and the data directory as a volume', () => {
    const users = final.filter((i) => i.op === 'USER');
    expect(users.length).toBe(1);
    expect(users[0]?.args).not.toMatch(/^(root|0)(:|$)/);
    const userAt = final.indexOf(users[0] ?? { op: '', args: '' });
    const entry = final.findIndex((i) => i.op === 'ENTRYPOINT' || i.op === 'CMD');
    expect(userAt).toBeLessThan(entry);
    expect(final.filter((i) => i.op === 'RUN').every((r) => final.indexOf(r) < userAt)).toBe(true);
    expect(final.find((i) => i.op === 'ENTRYPOINT')?.args).toBe('["sotto-server"]');
    const health = final.find((i) => i.op === 'HEALTHCHECK');
    expect(health?.args).toMatch(/\/healthz/);
    expect(health?.args).toMatch(/--interval=\d+s/);
    const env = final
      .filter((i) => i.op === 'ENV')
      .map((i) => i.args)
      .join(' ');
    const data = /SOTTO_DATA=(\S+)/.exec(env)?.[1];
    expect(data).toBe('/var/lib/sotto');
    expect(final.find((i) => i.op === 'VOLUME')?.args).toBe(`["${data}"]`);
    for (const name of env.matchAll(/\b(SOTTO_[A-Z_]+)=/g)) expect(KNOWN_VARIABLES).toContain(name[1]);
    expect(final.find((i) => i.op === 'EXPOSE')?.args).toBe(/SOTTO_PORT=(\d+)/.exec(env)?.[1]);
  });

  it('copies the lockfile and keeps node_modules and build output out of the context', () => {
    expect(ins.some((i) => i.op === 'COPY' && i.args.includes('package-lock.json'))).toBe(true);
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['**/node_modules', '**/dist', '.git']) expect(ignored).toContain(entry);
  });
});

describe('deploy/compose.yaml', () => {
  const compose = parseYamlSubset(read('deploy/compose.yaml')) as Record<string, YamlValue>;
  const services = compose.services as Record<string, Record<string, YamlValue>>;

  it('runs the server, PostgreSQL and Redis, each with a health check, on pinned images', () => {
    const always = Object.keys(services).filter((name) => services[name]?.profiles === undefined);
    expect(always.sort()).toEqual(['postgres', 'redis', 'server']);
    for (const [name, s] of Object.entries(services)) {
      const test = (s.healthcheck as Record<string, YamlValue> | undefined)?.test;
      expect(Array.isArray(test) && test.length > 1, `${name} healthcheck`).toBe(true);
      if (typeof s.image === 'string' && name !== 'server') expect(s.image).toMatch(/:\d+\.\d+(\.\d+)?-/);
    }
    expect(services.server?.build).toEqual({ context: '..', dockerfile: 'Dockerfile' });
  });

  it('starts the server once both are healthy, pointed at them, with its data in a volume', () => {
    const server = services.server ?? {};
    expect(server.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    const env = server.environment as Record<string, string>;
    expect(env.SOTTO_STORE).toMatch(
      /^postgres:\/\/sotto:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/sotto$/,
    );
    expect(env.SOTTO_BUS).toBe('redis://redis:6379');
    for (const name of Object.keys(env)) expect(KNOWN_VARIABLES, name).toContain(name);
    expect(server.volumes).toEqual(['sotto-data:/var/lib/sotto']);
    expect(Object.keys(compose.volumes as object)).toContain('sotto-data');
    // Published on loopback only: TLS belongs to a proxy in front.
    expect(server.ports).toEqual(['127.0.0.1:8080:8080']);
  });

  it('offers coturn only under the turn profile, on the host network, with its configuration read-only', () => {
    const coturn = services.coturn ?? {};
    expect(coturn.profiles).toEqual(['turn']);
    expect(coturn.network_mode).toBe('host');
    expect(coturn.volumes).toEqual(['./turnserver.conf:/etc/coturn/turnserver.conf:ro']);
    const env = services.server?.environment as Record<string, string>;
    expect(env.SOTTO_TURN_SECRET).toMatch(/^\$\{SOTTO_TURN_SECRET:-\}$/);
  });

  it('is checked by a reader that refuses what it does not understand', () => {
    expect(() => parseYamlSubset('a: &x 1\nb: *x\n')).toThrow(/line 1/);
    expect(() => parseYamlSubset('a:\n\tb: 1\n')).toThrow(/tabs/);
    expect(() => parseYamlSubset('a: 1\na: 2\n')).toThrow(/duplicate key a/);
    expect(() => parseYamlSubset('a: b: c\n')).toThrow(/ambiguous/);
    expect(() => parseYamlSubset('a: |\n  text\n')).toThrow(/unsupported/);
    expect(parseYamlSubset('a:\n  - x: 1\n    y: "two"\n  - [p, "q r"]\nb: # c\n  c: true\n')).toEqual({
      a: [{ x: 1, y: 'two' }, ['p', 'q r']],
      b: { c: true },
    });
  });
});

describe('deploy/sotto.service', () => {
  const unit = read('deploy/sotto.service');
  const settings = new Map<string, string[]>();
  for (const line of unit.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m?.[1] !== undefined) settings.set(m[1], [...(settings.get(m[1]) ?? []), m[2] ?? '']);
  }
  const one = (key: string) => settings.get(key)?.at(-1);

  it('runs as its own user with the usual hardening', () => {
    expect(one('User') === 'sotto' || one('DynamicUser') === 'yes').toBe(true);
    expect(one('User')).not.toBe('root');
    for (const [key, value] of [
      ['ProtectSystem', 'strict'],
      ['StateDirectory', 'sotto'],
      ['StateDirectoryMode', '0700'],
      ['NoNewPrivileges', 'yes'],
      ['PrivateTmp', 'yes'],
      ['ProtectHome', 'yes'],
      ['RestrictSUIDSGID', 'yes'],
      ['CapabilityBoundingSet', ''],
      ['RestartPreventExitStatus', '2'],
      ['KillSignal', 'SIGTERM'],
    ] as const) {
      expect(one(key), key).toBe(value);
    }
    expect(unit).toMatch(/^\[Install\]\nWantedBy=multi-user\.target$/m);
  });

  it('starts the server with a command line the server accepts', () => {
    const exec = (one('ExecStart') ?? '').split(/\s+/);
    expect(exec.slice(0, 2)).toEqual(['/usr/bin/node', '/opt/sotto/packages/server/dist/main.js']);
    const args = exec.slice(2);
    expect(args).toEqual(['--config', '/etc/sotto/sotto.toml']);
  });
});

describe('deploy/sotto.example.toml', () => {
  it('is a configuration the server accepts, with the unit state directory as its data', () => {
    const config = parseConfig(['--config', root('deploy/sotto.example.toml')], {});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      dataDir: '/var/lib/sotto',
      registration: 'token',
      publicOrigins: ['https://chat.example.org'],
    });
  });
});

describe('deploy/turnserver.example.conf', () => {
  const lines = read('deploy/turnserver.example.conf')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

  it('authenticates with the shared secret Sotto derives credentials from, and is no open relay', () => {
    for (const option of ['use-auth-secret', 'no-cli', 'no-multicast-peers', 'fingerprint']) {
      expect(lines).toContain(option);
    }
    expect(lines.some((l) => l.startsWith('static-auth-secret='))).toBe(true);
    expect(lines.some((l) => l.startsWith('lt-cred-mech') || l.startsWith('user='))).toBe(false);
    for (const range of [
      '10.0.0.0-10.255.255.255',
      '127.0.0.0-127.255.255.255',
      '192.168.0.0-192.168.255.255',
    ]) {
      expect(lines).toContain(`denied-peer-ip=${range}`);
    }
  });
});

describe('LICENSE', () => {
  it('is the AGPL-3.0 text that package.json declares', () => {
    const pkg = JSON.parse(read('package.json')) as { license?: string };
    expect(pkg.license).toBe('AGPL-3.0-or-later');
    const text = read('LICENSE');
    expect(text.split('\n')[0]?.trim()).toBe('GNU AFFERO GENERAL PUBLIC LICENSE');
    expect(text).toContain('Version 3, 19 November 2007');
    expect(text).toContain('END OF TERMS AND CONDITIONS');
  });
});
