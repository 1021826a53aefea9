import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, defaultConfig, parseConfig, startServer } from '@sotto/server';
import { describe, expect, it } from 'vitest';

describe('config: store and bus', () => {
  it('defaults to SQLite in the data dir and the in-process bus', () => {
    expect(parseConfig([], {})).toMatchObject({ store: undefined, bus: undefined });
  });

  it('takes --store/SOTTO_STORE and --bus/SOTTO_BUS, flags over variables', () => {
    const env = { SOTTO_STORE: 'postgres://db/sotto', SOTTO_BUS: 'redis://cache:6379' };
    expect(parseConfig([], env)).toMatchObject({ store: 'postgres://db/sotto', bus: 'redis://cache:6379' });
    const flags = ['--store', 'postgresql://u@h/d?schema=s', '--bus=rediss://h:6380?channel=c'];
    expect(parseConfig(flags, env)).toMatchObject({
      store: 'postgresql://u@h/d?schema=s',
      bus: 'rediss://h:6380?channel=c',
    });
  });

  it('refuses a store or bus URL of another kind', () => {
    expect(() => parseConfig(['--store', 'mysql://h/d'], {})).toThrow(ConfigError);
    expect(() => parseConfig(['--store', './sotto.db'], {})).toThrow(ConfigError);
    expect(() => parseConfig([], { SOTTO_BUS: 'http://redis' })).toThrow(ConfigError);
  });

  it('refuses to start when the configured PostgreSQL or Redis does not answer', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sotto-config-'));
    const sink = { write: () => {} };
    try {
      const base = { port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent' };
      await expect(
        startServer(defaultConfig({ ...base, store: 'postgres://postgres@127.0.0.1:1/none' }), {
          logDestination: sink,
        }),
      ).rejects.toThrow();
      await expect(
        startServer(defaultConfig({ ...base, bus: 'redis://127.0.0.1:1' }), { logDestination: sink }),
      ).rejects.toThrow();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
