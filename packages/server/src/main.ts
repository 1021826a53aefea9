#!/usr/bin/env node
/**
 * The server's command line: `sotto-server [--port N] [--host H] [--data DIR] [--tls-cert F --tls-key F]
 * [--public-origin URL] [--log-level L] [--store postgres://…] [--bus redis://…] [--web DIR]
 * [--limit NAME=INTEGER]…`, each also from `SOTTO_*` environment variables (`SOTTO_LIMITS=a=1,b=2`). SIGTERM and SIGINT drain connections and exit 0.
 */
import { ConfigError, parseConfig, startServer } from './index.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`sotto-server: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const server = await startServer(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`sotto-server: shutdown after ${signal} failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(`sotto-server: ${(err as Error).message}`);
  process.exit(1);
});
