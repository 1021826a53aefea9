/**
 * A signal for one network attempt: aborted when the whole transfer is cancelled, or when the attempt
 * makes no progress for `idleMs` (a connection that hangs without closing), so a stalled attempt fails
 * and is retried instead of waiting forever.
 */

/** One attempt's signal; call `touch` on progress and `dispose` when the attempt is over. */
export interface AttemptSignal {
  readonly signal: AbortSignal;
  /** Restarts the idle timer. */
  touch(): void;
  /** Stops the timer and forgets the parent signal. */
  dispose(): void;
}

/** An attempt under `parent` that is aborted after `idleMs` without {@link AttemptSignal.touch}. */
export function attemptSignal(parent: AbortSignal, idleMs: number): AttemptSignal {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  if (parent.aborted) controller.abort(parent.reason);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const touch = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error('idle')), idleMs);
    (timer as { unref?: () => void }).unref?.();
  };
  touch();
  return {
    signal: controller.signal,
    touch,
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      parent.removeEventListener('abort', onAbort);
    },
  };
}
