/** The server the end-to-end tests run against: in the test process, silent, on 127.0.0.1. */
import { defaultConfig, type RunningServer, type ServerConfig, startServer } from '@sotto/server';

/**
 * Starts a server with its SQLite data in `dataDir`, on `port` (default 0: a free one; give the old port to
 * restart); `extra` overrides more of the configuration (limits, public origins).
 */
export function startTestServer(
  dataDir: string,
  port = 0,
  extra: Partial<ServerConfig> = {},
): Promise<RunningServer> {
  return startServer(defaultConfig({ port, host: '127.0.0.1', dataDir, logLevel: 'silent', ...extra }), {
    logDestination: { write: () => {} },
  });
}
