/**
 * The configuration file: TOML or JSON by extension, keys are the options without dashes, and it sits
 * under the variables and the flags (flags > env > file > defaults). Unknown keys and values of the wrong
 * type are errors naming the file and the key; values are checked by the same rules as flags.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULT_SERVER_LIMITS, parseConfig } from '@sotto/server';
import { afterAll, describe, expect, it } from 'vitest';
import { FILE_KEYS } from '../src/config-file.js';
import { FLAGS } from '../src/config-flags.js';

const dir = mkdtempSync(join(tmpdir(), 'sotto-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** Writes `text` to a fresh file with extension `ext` and returns its path. */
function file(ext: string, text: string): string {
  const path = join(dir, `c${n++}.${ext}`);
  writeFileSync(path, text);
  return path;
}

const TOML = `
# A single node behind a proxy.
port = 8443
host = "127.0.0.1"
data = "/var/lib/sotto"
public-origin = ["https://chat.example.org", "https://sotto.example.net"]
trust-proxy = "10.0.0.0/8"
registration = "token"
log-level = "warn"

[limits]
sendsPerDevicePerSecond = 50
mailboxMaxEnvelopes = 7
`;

const JSON_TEXT = JSON.stringify({
  port: 8443,
  host: '127.0.0.1',
  data: '/var/lib/sotto',
  'public-origin': ['https://chat.example.org', 'https://sotto.example.net'],
  'trust-proxy': '10.0.0.0/8',
  registration: 'token',
  'log-level': 'warn',
  limits: { sendsPerDevicePerSecond: 50, mailboxMaxEnvelopes: 7 },
});

describe('configuration file', () => {
  for (const [ext, text] of [
    ['toml', TOML],
    ['json', JSON_TEXT],
  ] as const) {
    it(`reads every kind of value from ${ext}`, () => {
      const c = parseConfig(['--config', file(ext, text)], {});
      expect(c).toMatchObject({
        port: 8443,
        host: '127.0.0.1',
        dataDir: '/var/lib/sotto',
        publicOrigins: ['https://chat.example.org', 'https://sotto.example.net'],
        trustProxy: ['10.0.0.0/8'],
        registration: 'token',
        logLevel: 'warn',
      });
      expect(c.limits).toEqual({
        ...DEFAULT_SERVER_LIMITS,
        sendsPerDevicePerSecond: 50,
        mailboxMaxEnvelopes: 7,
      });
    });
  }

  it('sits under variables and flags: flags > env > file > defaults, limits one at a time', () => {
    const path = file('toml', TOML);
    const env = {
      SOTTO_CONFIG: path,
      SOTTO_PORT: '9000',
      SOTTO_PUBLIC_ORIGIN: 'https://env.example',
      SOTTO_LIMITS: 'mailboxMaxEnvelopes=8,loginAttemptsPerIpPerMinute=3',
    };
    const fromEnv = parseConfig([], env);
    expect(fromEnv).toMatchObject({ port: 9000, host: '127.0.0.1', registration: 'token' });
    expect(fromEnv.publicOrigins).toEqual(['https://env.example']);
    expect(fromEnv.limits).toMatchObject({
      sendsPerDevicePerSecond: 50,
      mailboxMaxEnvelopes: 8,
      loginAttemptsPerIpPerMinute: 3,
    });
    const flags = ['--port', '9001', '--registration=open', '--limit', 'mailboxMaxEnvelopes=9'];
    const fromFlags = parseConfig(flags, env);
    expect(fromFlags).toMatchObject({ port: 9001, host: '127.0.0.1', registration: 'open' });
    expect(fromFlags.limits).toMatchObject({ sendsPerDevicePerSecond: 50, mailboxMaxEnvelopes: 9 });
    // --config on the command line wins over SOTTO_CONFIG; without any, the defaults.
    const other = file('json', '{"host": "::1"}');
    expect(parseConfig(['--config', other], env)).toMatchObject({ host: '::1', registration: 'open' });
    expect(parseConfig([], {})).toMatchObject({ port: 8080, host: '0.0.0.0', registration: 'open' });
  });

  it('refuses an unknown key, naming it and the file (typos never pass silently)', () => {
    const path = file('toml', 'port = 8443\nprot = 1\n');
    expect(() => parseConfig(['--config', path], {})).toThrow(ConfigError);
    expect(() => parseConfig(['--config', path], {})).toThrow(`${path}: unknown key "prot"`);
    expect(() => parseConfig(['--config', file('json', '{"config": "x.toml"}')], {})).toThrow(
      /unknown key "config"/,
    );
    expect(() => parseConfig(['--config', file('toml', '[limits]\nnoSuchLimit = 1\n')], {})).toThrow(
      /unknown limit noSuchLimit;.* \(from limits in /,
    );
  });

  it('refuses values of the wrong type, naming the key', () => {
    const cases: [string, string, RegExp][] = [
      ['toml', 'port = "8443x"', /--port must be 0\.\.65535 \(from port in .*\.toml\)/],
      ['toml', 'port = 70000', /--port must be 0\.\.65535 \(from port in /],
      ['toml', 'port = 1.5', /port must be a string or an integer/],
      ['toml', 'host = 5', /host must be a string$/],
      ['toml', 'host = ["a", "b"]', /host must be a string$/],
      ['json', '{"public-origin": [1]}', /public-origin must be a string, or a list of them/],
      ['json', '{"data": null}', /data must be a string/],
      ['json', '{"data": ""}', /data must be a string/],
      ['toml', 'limits = 5', /limits must be a table of NAME = INTEGER/],
      ['toml', '[limits]\nmaxFrameBytes = -1', /limits\.maxFrameBytes must be a whole number/],
      ['toml', '[limits]\nmaxFrameBytes = "big"', /limits\.maxFrameBytes must be a whole number/],
      [
        'toml',
        'registration = "invite-only"',
        /--registration must be open, token or closed \(from registration/,
      ],
      ['toml', 'store = "mysql://db"', /--store must be a postgres:\/\/ URL.* \(from store in /],
      ['toml', 'when = 1979-05-27', /unknown key "when"/],
      ['toml', 'log-level = 1979-05-27', /log-level must be a string/],
    ];
    for (const [ext, text, error] of cases) {
      expect(() => parseConfig(['--config', file(ext, text)], {}), text).toThrow(error);
    }
    // true and a hop count are trust-proxy's own values.
    expect(parseConfig(['--config', file('toml', 'trust-proxy = true')], {}).trustProxy).toBe(true);
    expect(parseConfig(['--config', file('json', '{"trust-proxy": 2}')], {}).trustProxy).toBe(2);
  });

  it('says where a bad value came from: a variable or the file; a flag speaks for itself', () => {
    expect(() => parseConfig([], { SOTTO_PORT: 'x' })).toThrow('--port must be 0..65535 (from SOTTO_PORT)');
    expect(() => parseConfig(['--port', 'x'], {})).toThrow(/^--port must be 0\.\.65535$/);
  });

  it('refuses a file it cannot read or parse, and other extensions, without quoting its lines', () => {
    expect(() => parseConfig(['--config', join(dir, 'missing.toml')], {})).toThrow(
      /cannot read the configuration file .*missing\.toml \(ENOENT\)/,
    );
    expect(() => parseConfig(['--config', file('yaml', 'port: 1')], {})).toThrow(
      /--config takes a \.toml or \.json file/,
    );
    const secret = file('toml', 'store = "postgres://sotto:hunter2@db/sotto\nport = 1\n');
    let message = '';
    try {
      parseConfig(['--config', secret], {});
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/c\d+\.toml:1:\d+: not valid TOML/);
    expect(message).not.toContain('hunter2');
    expect(() => parseConfig(['--config', file('json', '{"port": 1,}')], {})).toThrow(/not valid JSON/);
    expect(() => parseConfig(['--config', file('json', '[1]')], {})).toThrow(/top level must be a table/);
    expect(() => parseConfig(['--config', dir], {})).toThrow(ConfigError);
  });

  it('knows a key for every option but --config itself', () => {
    expect(FILE_KEYS).toEqual(
      Object.keys(FLAGS)
        .filter((f) => f !== '--config')
        .map((f) => (f === '--limit' ? 'limits' : f.slice(2))),
    );
  });
});
