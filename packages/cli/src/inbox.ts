/**
 * Reports each received message exactly once, whichever commands ran before. Every client the CLI builds
 * keeps the SDK's durable inbox (`inbox: true`), so a message that arrived while `send`, `contacts list` or
 * any other connected command ran waits there instead of being lost to a later `receive`. The reporter
 * reads the inbox in arrival order, hands each message to `report` (which saves its file, if any, and
 * prints it), and clears it from the inbox only after that, one by one: an interrupted `receive` shows
 * the rest next time.
 */
import type { Message, SottoClient } from '@sotto/client';

/** Options of {@link inboxReporter}. */
export interface ReporterOptions {
  /** Only messages of this conversation (chat); the others stay in the inbox. */
  readonly only?: string;
  /**
   * Shows one message (after saving its file, for `receive`); the message is cleared once this settles.
   * Returning false means it was not shown (its download was cancelled): it stays in the inbox, and
   * nothing after it is reported in this run, so the order is kept.
   */
  readonly report: (m: Message) => undefined | boolean | Promise<undefined | boolean>;
  /** Checked before each message: when true, nothing more is reported (e.g. `--count` reached). */
  readonly done: () => boolean;
}

/** A running reporter. */
export interface Reporter {
  /** Reports what waits in the inbox now; calls run one after another. Resolves when this one is done. */
  drain(): Promise<void>;
}

/** Builds a reporter over `client`'s inbox. */
export function inboxReporter(client: SottoClient, options: ReporterOptions): Reporter {
  const reported = new Set<string>();
  let queue: Promise<void> = Promise.resolve();
  const once = async () => {
    for (const m of await client.inbox()) {
      if (options.done()) return;
      if (reported.has(m.id) || (options.only !== undefined && m.conversation !== options.only)) continue;
      if ((await options.report(m)) === false) return;
      reported.add(m.id);
      await client.clearInbox([m.id]);
    }
  };
  return {
    drain() {
      // One failed run (reported to its caller) does not stop the later ones.
      const run = queue.catch(() => {}).then(once);
      queue = run;
      return run;
    },
  };
}
