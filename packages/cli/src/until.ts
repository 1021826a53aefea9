/**
 * When a long-running command (`receive`, `chat`) ends: after `--timeout` seconds, when stdin closes, on
 * SIGINT/SIGTERM, or when the command itself calls `finish` (e.g. `--count` reached). Whichever comes
 * first wins; timers and listeners are released afterwards.
 */

/** Why a long-running command stopped. */
export type StopReason = 'timeout' | 'eof' | 'signal' | 'done';

/** What can stop the command. */
export interface StopSources {
  /** Seconds until it stops by itself; none means no time limit. */
  readonly timeoutSeconds?: number | undefined;
  /** Stops the command when it ends (`end` or `close`). */
  readonly stdin?: NodeJS.ReadableStream | undefined;
  /** Resolves on SIGINT/SIGTERM. */
  readonly stopped: Promise<void>;
}

/** A pending stop. */
export interface Stopper {
  /** Resolves with the first reason. */
  readonly reason: Promise<StopReason>;
  /** Stops now with `done`. */
  finish(): void;
  /** True once a stop source fired (synchronously, unlike awaiting `reason`). */
  isStopped(): boolean;
}

/** Arms the stop sources; see {@link StopSources}. */
export function armStop(sources: StopSources): Stopper {
  let settle: (r: StopReason) => void = () => {};
  let timer: NodeJS.Timeout | undefined;
  let settled = false;
  const onEnd = () => settle('eof');
  const reason = new Promise<StopReason>((resolveReason) => {
    settle = (r) => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      sources.stdin?.off('end', onEnd);
      sources.stdin?.off('close', onEnd);
      resolveReason(r);
    };
  });
  if (sources.timeoutSeconds !== undefined)
    timer = setTimeout(() => settle('timeout'), sources.timeoutSeconds * 1000);
  if (sources.stdin !== undefined) {
    sources.stdin.on('end', onEnd);
    sources.stdin.on('close', onEnd);
    sources.stdin.resume();
  }
  sources.stopped.then(() => settle('signal'));
  return { reason, finish: () => settle('done'), isStopped: () => settled };
}
