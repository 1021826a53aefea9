/**
 * The TURN options: `--turn-url` (repeatable, comma lists), the secret from a flag, a variable or a file,
 * `--turn-ttl`, in the configuration file too; every bad combination is refused with a sentence that
 * never quotes the secret, and the secret never prints (config objects, JSON, `--help`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ConfigError, DEFAULT_TURN_TTL_SECONDS, parseConfig } from '@sotto/server';
import { afterAll, describe, expect, it } from 'vitest';
import { usage } from '../src/usage.js';

const SECRET = 'north-wind-7f3a9c2e51d04b86';
const dir = mkdtempSync(join(tmpdir(), 'sotto-turn-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TURN configuration', () => {
  it('is off by default', () => {
    expect(parseConfig([], {}).turn).toBeUndefined();
  });

  it('takes TURN and STUN URLs with a secret from the variable, and a TTL', () => {
    const c = parseConfig(
      ['--turn-url', 'turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349'],
      { SOTTO_TURN_URL: 'stun:ignored.example.org', SOTTO_TURN_SECRET: SECRET, SOTTO_TURN_TTL: '3600' },
    );
    expect(c.turn).toMatchObject({
      turnUrls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'],
      stunUrls: [],
      ttlSeconds: 3600,
    });
    expect(c.turn?.secret?.reveal()).toBe(SECRET);
    const both = parseConfig(
      ['--turn-url', 'stun:stun.example.org', '--turn-url', 'turn:[2001:db8::1]:3478'],
      { SOTTO_TURN_SECRET: SECRET },
    );
    expect(both.turn).toMatchObject({
      stunUrls: ['stun:stun.example.org'],
      turnUrls: ['turn:[2001:db8::1]:3478'],
      ttlSeconds: DEFAULT_TURN_TTL_SECONDS,
    });
  });

  it('takes STUN alone without a secret', () => {
    expect(parseConfig(['--turn-url', 'stun:stun.example.org:3478'], {}).turn).toEqual({
      stunUrls: ['stun:stun.example.org:3478'],
      turnUrls: [],
      secret: undefined,
      ttlSeconds: DEFAULT_TURN_TTL_SECONDS,
    });
  });

  it('reads the secret from --turn-secret-file (one line) and from the configuration file', () => {
    const file = join(dir, 'turn-secret');
    writeFileSync(file, `${SECRET}\n`, { mode: 0o600 });
    const c = parseConfig(['--turn-url', 'turn:t.example.org', '--turn-secret-file', file], {});
    expect(c.turn?.secret?.reveal()).toBe(SECRET);
    const toml = join(dir, 'sotto.toml');
    writeFileSync(
      toml,
      `turn-url = ["turn:t.example.org:3478", "stun:t.example.org"]\nturn-secret-file = "${file}"\nturn-ttl = 7200\n`,
    );
    expect(parseConfig(['--config', toml], {}).turn).toMatchObject({
      turnUrls: ['turn:t.example.org:3478'],
      stunUrls: ['stun:t.example.org'],
      ttlSeconds: 7200,
    });
    expect(() =>
      parseConfig(['--turn-url', 'turn:t.example.org', '--turn-secret-file', join(dir, 'none')], {}),
    ).toThrow(/--turn-secret-file: cannot read .*ENOENT/);
  });

  it('refuses bad URLs and combinations, never quoting the secret', () => {
    const bad: [string[], Record<string, string>, RegExp][] = [
      [['--turn-url', 'http://turn.example.org'], {}, /--turn-url takes/],
      [['--turn-url', 'turn:user:pass@turn.example.org'], {}, /--turn-url takes/],
      [['--turn-url', 'turn:turn.example.org?transport=sctp'], {}, /--turn-url takes/],
      [['--turn-url', 'turn:turn.example.org'], {}, /needs --turn-secret/],
      [['--turn-secret', SECRET], {}, /needs a turn: --turn-url/],
      [['--turn-url', 'stun:s.example.org', '--turn-secret', SECRET], {}, /needs a turn: --turn-url/],
      [['--turn-url', 'turn:t.example.org', '--turn-secret', 'short'], {}, /16 to 512 printable/],
      [['--turn-url', 'turn:t.example.org', '--turn-secret', `${SECRET} x`], {}, /16 to 512 printable/],
      [
        ['--turn-url', 'turn:t.example.org', '--turn-secret-file', '/x'],
        { SOTTO_TURN_SECRET: SECRET },
        /exclude/,
      ],
      [['--turn-url', 'turn:t.example.org', '--turn-ttl', '59'], { SOTTO_TURN_SECRET: SECRET }, /--turn-ttl/],
      [
        ['--turn-url', 'turn:t.example.org', '--turn-ttl', '1e4'],
        { SOTTO_TURN_SECRET: SECRET },
        /--turn-ttl/,
      ],
      [['--turn-ttl', '600'], {}, /--turn-ttl needs --turn-url/],
    ];
    for (const [argv, env, message] of bad) {
      let thrown: unknown;
      try {
        parseConfig(argv, env);
      } catch (err) {
        thrown = err;
      }
      expect(thrown, argv.join(' ')).toBeInstanceOf(ConfigError);
      expect((thrown as Error).message).toMatch(message);
      expect((thrown as Error).message).not.toContain(SECRET);
    }
  });

  it('never prints the secret: not in the config object, its JSON, nor --help', () => {
    const c = parseConfig(['--turn-url', 'turn:t.example.org'], { SOTTO_TURN_SECRET: SECRET });
    expect(inspect(c, { depth: 10 })).not.toContain(SECRET);
    expect(JSON.stringify(c)).not.toContain(SECRET);
    expect(String(c.turn?.secret)).toBe('[redacted]');
    expect(`${c.turn?.secret}`).not.toContain(SECRET);
    const help = usage();
    expect(help).toContain('--turn-secret-file');
    expect(help).toContain('SOTTO_TURN_SECRET');
    expect(help).not.toContain(SECRET);
  });
});
