#!/usr/bin/env node
/**
 * The server's command line: `sotto-server [OPTION]...` (every option in `config-flags.ts`, each also from
 * its `SOTTO_*` variable or the `--config` file; `--help` lists them), and `sotto-server admin …` (see
 * `admin/main.ts`). SIGTERM and SIGINT drain connections and exit 0; the exit
 * codes are {@link EXIT}'s: 2 for a bad option or value, 1 when the server refuses or fails to start.
 */
import { ConfigError, parseConfig, startServer } from './index.js';
import { EXIT, usage } from './usage.js';
import { serverVersion } from './version.js';

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === 'admin') {
    // Loaded only for the admin: a server start never pays for it.
    const { runAdmin } = await import('./admin/main.js');
    process.exitCode = await runAdmin(argv.slice(1), process.env, process);
    return;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage());
    return;
  }
  if (argv.includes('--version') || argv.includes('-V')) {
    process.stdout.write(`sotto-server ${serverVersion()}\n`);
    return;
  }
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(argv, process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`sotto-server: ${err.message}`);
      process.exit(EXIT.usage);
    }
    throw err;
  }
  const server = await startServer(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.close().then(
      () => process.exit(EXIT.ok),
      (err: unknown) => {
        console.error(`sotto-server: shutdown after ${signal} failed: ${(err as Error).message}`);
        process.exit(EXIT.refused);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`sotto-server: ${(err as Error).message}`);
  process.exit(EXIT.refused);
});
