/**
 * `sotto serve`: runs the server with the same flags and `SOTTO_*` variables as `sotto-server` (parsed by
 * the server's own `parseConfig`). Prints the URL on stdout (`{"type":"listening","url":…}` with `--json`);
 * server logs go to stderr. SIGINT/SIGTERM drain and exit 0.
 */
import type { ServerConfig } from '@sotto/server';
import type { Command } from '../command.js';
import { CliError, EXIT, usageError } from '../exit-codes.js';

const IGNORED_VALUED = new Set(['--profile', '--server', '--password-file']);

/** Splits the CLI's own flags (`--json`, `--help`, `--version`, and the ignored client flags) from the server's. */
function serverArgs(raw: readonly string[]): {
  json: boolean;
  help: boolean;
  version: boolean;
  rest: string[];
} {
  let json = false;
  let help = false;
  let version = false;
  const rest: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const arg = raw[i] ?? '';
    const flag = arg.split('=', 1)[0] ?? arg;
    if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--version') version = true;
    else if (IGNORED_VALUED.has(flag)) {
      if (!arg.includes('=')) i++;
    } else rest.push(arg);
  }
  return { json, help, version, rest };
}

/** The `serve` command. */
export const serve: Command = {
  name: 'serve',
  summary: 'run a Sotto server on an embedded database',
  help: `usage: sotto serve [--config FILE] [--port N] [--host H] [--data DIR] [--tls-cert FILE --tls-key FILE]
                   [--public-origin URL[,URL…]]… [--trust-proxy SPEC] [--opaque-setup FILE]
                   [--log-level LEVEL] [--store postgres://…] [--bus redis://…]
                   [--web DIR] [--registration open|token|closed] [--limit NAME=INTEGER]… [--json]

Runs the server (the same flags, SOTTO_* variables and --config file as sotto-server; \`sotto-server
--help\` lists every option, variable and limit). --registration token admits only holders of an invite
from \`sotto-server admin tokens create\`; closed admits nobody. Behind a reverse proxy, set --public-origin to the URL clients use
(connection auth is bound to it) and --trust-proxy to the proxy's address (per-IP limits); several nodes
share one OPAQUE setup (--opaque-setup FILE), or the second one refuses to start. Defaults: port 8080, host 0.0.0.0, data ./data, SQLite and the in-process bus, the built
web client when there is one. --limit overrides one limit (e.g. sendsPerDevicePerSecond=50; repeatable).
--port 0 picks a free port. Prints the URL on stdout (with --json:
{"type":"listening","url":URL,"port":N}); logs go to stderr. Ctrl-C or SIGTERM stops it cleanly.`,
  options: {},
  positionals: { min: 0, max: 0 },
  rawArgs: true,
  async run(ctx) {
    const { rest } = serverArgs(ctx.raw);
    // Loaded here so client commands never pay for the server's start-up.
    const { ConfigError, ServerSetupError, parseConfig, startServer } = await import('@sotto/server');
    let config: ServerConfig;
    try {
      config = parseConfig(rest, ctx.env);
    } catch (err) {
      if (err instanceof ConfigError) throw usageError(err.message);
      throw err;
    }
    const server = await startServer(config, {
      logDestination: { write: (line: string) => ctx.io.stderr.write(line) },
    }).catch((err: unknown) => {
      // A refused start (the OPAQUE setup does not match the database) says why; its text holds no secret.
      if (err instanceof ServerSetupError) throw new CliError('SERVER_SETUP', err.message, EXIT.OTHER);
      throw err;
    });
    ctx.out.emit(`sotto: serving on ${server.url} (data in ${config.dataDir})`, {
      type: 'listening',
      url: server.url,
      port: server.port,
    });
    await ctx.stopped;
    await server.close();
  },
};

/** Whether the raw `serve` arguments ask for JSON, help or the version (the dispatcher needs this first). */
export function serveFlags(raw: readonly string[]): { json: boolean; help: boolean; version: boolean } {
  const { json, help, version } = serverArgs(raw);
  return { json, help, version };
}
