#!/usr/bin/env node
/**
 * The `sotto` binary: runs {@link main} with this process and exits with its code. SIGINT/SIGTERM resolve
 * `stopped` so long-running commands (serve, receive, chat) can close cleanly; a second signal exits at once.
 */
import { main } from './main.js';

let signals = 0;
const stopped = new Promise<void>((resolveStop) => {
  const onSignal = () => {
    signals++;
    if (signals > 1) process.exit(130);
    resolveStop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
});

const code = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stopped,
});
process.exitCode = code;
// Open handles (sockets, timers) of a finished command must not keep the process alive.
process.stdout.write('', () => process.exit(code));
