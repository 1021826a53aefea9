import { ConfigError, DEFAULT_SERVER_LIMITS, parseConfig } from '@sotto/server';
import { describe, expect, it } from 'vitest';

describe('config', () => {
  it('defaults to port 8080 and ./data over plain HTTP', () => {
    const c = parseConfig([], {});
    expect(c).toMatchObject({ port: 8080, host: '0.0.0.0', dataDir: './data', tls: undefined });
    expect(c.limits).toEqual(DEFAULT_SERVER_LIMITS);
    expect(c.limits.mailboxMaxAgeMs).toBe(30 * 24 * 60 * 60 * 1000);
  });

  it('takes SOTTO_* variables, and flags over them', () => {
    const env = { SOTTO_PORT: '9000', SOTTO_DATA: '/srv/sotto', SOTTO_HOST: '127.0.0.1' };
    expect(parseConfig([], env)).toMatchObject({ port: 9000, dataDir: '/srv/sotto', host: '127.0.0.1' });
    expect(parseConfig(['--port', '9001', '--data=/x'], env)).toMatchObject({ port: 9001, dataDir: '/x' });
    expect(parseConfig(['--tls-cert', 'c.pem', '--tls-key', 'k.pem'], {}).tls).toEqual({
      certFile: 'c.pem',
      keyFile: 'k.pem',
    });
  });

  it('overrides single limits from --limit and SOTTO_LIMITS, flags over the environment', () => {
    const c = parseConfig(['--limit', 'sendsPerDevicePerSecond=50', '--limit=mailboxMaxEnvelopes=7'], {
      SOTTO_LIMITS: 'sendsPerDevicePerSecond=5, loginAttemptsPerIpPerMinute=3',
    });
    expect(c.limits.sendsPerDevicePerSecond).toBe(50);
    expect(c.limits.mailboxMaxEnvelopes).toBe(7);
    expect(c.limits.loginAttemptsPerIpPerMinute).toBe(3);
    expect(c.limits.maxFrameBytes).toBe(DEFAULT_SERVER_LIMITS.maxFrameBytes);
    expect(() => parseConfig(['--limit', 'noSuchLimit=1'], {})).toThrow(/unknown limit noSuchLimit/);
    expect(() => parseConfig(['--limit', 'sendsPerDevicePerSecond=-1'], {})).toThrow(/NAME=INTEGER/);
    expect(() => parseConfig([], { SOTTO_LIMITS: 'sendsPerDevicePerSecond' })).toThrow(ConfigError);
  });

  it('takes --files as a directory or an s3:// bucket with credentials from SOTTO_S3_* only', () => {
    expect(parseConfig([], {}).files).toBeUndefined();
    expect(parseConfig(['--files', '/srv/files'], {}).files).toBe('/srv/files');
    const creds = { SOTTO_S3_ACCESS_KEY: 'AK', SOTTO_S3_SECRET_KEY: 'SK' };
    const env = { SOTTO_FILES: 's3://sotto-files?endpoint=https://s3.example.org&region=eu-1', ...creds };
    expect(parseConfig([], env).files).toEqual({
      bucket: 'sotto-files',
      endpoint: 'https://s3.example.org',
      region: 'eu-1',
      pathStyle: true,
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
    });
    // AWS itself: virtual-hosted URLs and the SDK's own credential sources (AWS_* variables, roles).
    expect(
      parseConfig(['--files', 's3://b.example?pathStyle=false'], { AWS_REGION: 'us-west-2' }).files,
    ).toEqual({
      bucket: 'b.example',
      endpoint: undefined,
      region: 'us-west-2',
      pathStyle: false,
      credentials: undefined,
    });
    for (const bad of [
      's3://UPPER',
      's3://b',
      's3://bucket/path',
      's3://key:secret@bucket',
      's3://bucket?endpoint=ftp://x',
      's3://bucket?endpoint=https://x/path',
      's3://bucket?pathStyle=maybe',
      's3://bucket?acl=public',
    ]) {
      expect(() => parseConfig(['--files', bad], {}), bad).toThrow(ConfigError);
    }
    expect(() => parseConfig(['--files', 's3://bucket'], { SOTTO_S3_ACCESS_KEY: 'AK' })).toThrow(/together/);
  });

  it('takes a mail server from --smtp-url and --smtp-from (or SOTTO_SMTP_*), requiring TLS for a remote password', () => {
    expect(parseConfig([], {}).smtp).toBeUndefined();
    const env = { SOTTO_SMTP_URL: 'smtp://relay.example.org', SOTTO_SMTP_FROM: 'Sotto <sotto@example.org>' };
    expect(parseConfig([], env).smtp).toEqual({
      host: 'relay.example.org',
      port: 587,
      secure: false,
      requireTls: false,
      auth: undefined,
      from: 'Sotto <sotto@example.org>',
    });
    expect(
      parseConfig(['--smtp-url', 'smtp://me%40example.org:p%3Ass@mail.example.org:2525'], env).smtp,
    ).toMatchObject({
      host: 'mail.example.org',
      port: 2525,
      requireTls: true,
      auth: { user: 'me@example.org', pass: 'p:ss' },
    });
    expect(parseConfig(['--smtp-url', 'smtps://u:p@mail.example.org'], env).smtp).toMatchObject({
      port: 465,
      secure: true,
      requireTls: false,
    });
    expect(parseConfig(['--smtp-url', 'smtp://u:p@127.0.0.1:25'], env).smtp).toMatchObject({
      requireTls: false,
    });
    for (const bad of [
      'http://mail.example.org',
      'smtp://',
      'smtp://host/path',
      'smtp://host?tls=no',
      'nope',
    ]) {
      expect(() => parseConfig(['--smtp-url', bad], env), bad).toThrow(ConfigError);
    }
    expect(() => parseConfig(['--smtp-url', 'smtp://host'], {})).toThrow(/--smtp-from is needed/);
    for (const bad of ['nobody', 'a@b\r\nBcc: eve@example.org', '<a@b']) {
      expect(() => parseConfig(['--smtp-url', 'smtp://host', '--smtp-from', bad], {}), bad).toThrow(
        ConfigError,
      );
    }
    expect(() => parseConfig(['--smtp-from', 'a@b.org'], {})).toThrow(/needs --smtp-url/);
  });

  it('refuses unknown flags, bad ports and half a TLS pair', () => {
    expect(() => parseConfig(['--nope'], {})).toThrow(ConfigError);
    expect(() => parseConfig(['--port', '70000'], {})).toThrow(ConfigError);
    expect(() => parseConfig(['--port'], {})).toThrow(ConfigError);
    expect(() => parseConfig(['--tls-cert', 'c.pem'], {})).toThrow(ConfigError);
  });

  it('takes public origins as a comma-separated list or a repeated flag, canonical, flags over the variable', () => {
    expect(parseConfig([], {}).publicOrigins).toEqual([]);
    const env = { SOTTO_PUBLIC_ORIGIN: 'https://Chat.Example.org/, https://chat.example.org:8443' };
    expect(parseConfig([], env).publicOrigins).toEqual([
      'https://chat.example.org',
      'https://chat.example.org:8443',
    ]);
    const flags = [
      '--public-origin',
      'https://a.example',
      '--public-origin=http://b.example:80,http://[::1]:9',
    ];
    expect(parseConfig(flags, env).publicOrigins).toEqual([
      'https://a.example',
      'http://b.example',
      'http://[::1]:9',
    ]);
    for (const bad of ['chat.example.org', 'https://chat.example.org/sotto', 'ftp://x', 'https://u:p@x']) {
      expect(() => parseConfig(['--public-origin', bad], {})).toThrow(/--public-origin takes origins/);
    }
  });

  it('takes --trust-proxy / SOTTO_TRUST_PROXY as true, false, a hop count or a list of addresses and ranges', () => {
    expect(parseConfig([], {}).trustProxy).toBe(false);
    expect(parseConfig(['--trust-proxy', 'true'], {}).trustProxy).toBe(true);
    expect(parseConfig(['--trust-proxy=0'], {}).trustProxy).toBe(false);
    expect(parseConfig([], { SOTTO_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(parseConfig([], { SOTTO_TRUST_PROXY: '10.0.0.0/8, loopback,::1' }).trustProxy).toEqual([
      '10.0.0.0/8',
      'loopback',
      '::1',
    ]);
    expect(parseConfig(['--trust-proxy', 'false'], { SOTTO_TRUST_PROXY: 'true' }).trustProxy).toBe(false);
    for (const bad of ['yes', '10.0.0.0/33', 'proxy.example.org', ',']) {
      expect(() => parseConfig(['--trust-proxy', bad], {})).toThrow(/--trust-proxy takes/);
    }
  });
});
