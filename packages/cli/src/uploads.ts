/**
 * Following this device's uploads until their file messages reach the server. The SDK resumes every
 * unfinished upload after it connects (an earlier `sotto send-file` that was killed, or lost its
 * connection) and runs it in the background; a command that exits cuts it short again (it goes on with
 * the next command). So `send-file` watches its own upload and the resumed ones, and waits for all of
 * them: each ends when its message is no longer pending (sent, or failed with a code). It stops waiting
 * when none of them made progress for a while (the connection stays down, or the server keeps failing).
 */
import type { Message, SottoClient } from '@sotto/client';
import type { ProgressDisplay } from './progress.js';

/** How long the watched uploads may make no progress before {@link UploadWatcher.settle} gives up. */
export const UPLOAD_IDLE_MS = 120_000;

/** Why {@link UploadWatcher.settle} returned. */
export type Settled = 'done' | 'idle' | 'stopped';

/** Options of {@link watchUploads}. */
export interface WatchOptions {
  /** Where the watched uploads' progress goes (each is named by its file name). */
  readonly progress: ProgressDisplay;
  /** Called when a resumed upload's message is sent or failed. */
  readonly onResumedEnd: (m: Message) => void;
  readonly idleMs?: number;
}

/** The watcher; see the module comment. */
export interface UploadWatcher {
  /** Watches pending file message `id` of this device (`resumed`: left by an earlier run). */
  watch(id: string, fileName: string, resumed: boolean): void;
  /** The ids still pending. */
  pending(): string[];
  /** The latest state of message `id` this process saw reported, if any. */
  latest(id: string): Message | undefined;
  /** Resolves when nothing watched is pending, nothing progressed for the idle time, or `stop` resolved. */
  settle(stop: Promise<unknown>): Promise<Settled>;
  /** Unsubscribes. */
  off(): void;
}

/** Subscribes to `client`'s events (do it before connecting, so no update is missed). */
export function watchUploads(client: SottoClient, options: WatchOptions): UploadWatcher {
  const idleMs = options.idleMs ?? UPLOAD_IDLE_MS;
  const latest = new Map<string, Message>();
  const watched = new Map<string, { readonly resumed: boolean }>();
  let activity = Date.now();
  let wake = () => {};
  const poke = () => {
    activity = Date.now();
    wake();
  };
  const end = (m: Message) => {
    const w = watched.get(m.id);
    if (w === undefined) return;
    watched.delete(m.id);
    options.progress.end(m.id);
    if (w.resumed) options.onResumedEnd(m);
    wake();
  };
  const offs = [
    client.on('message-updated', (m) => {
      if (m.file === undefined || m.direction !== 'out') return;
      latest.set(m.id, m);
      if (!watched.has(m.id)) return;
      poke();
      if (m.status !== 'pending') end(m);
    }),
    client.on('file-progress', (e) => {
      if (e.direction === 'up' && watched.has(e.messageId)) poke();
    }),
    client.on('connection', (e) => {
      if (e.state === 'online') poke();
    }),
  ];
  return {
    watch(id, fileName, resumed) {
      options.progress.label(id, fileName);
      watched.set(id, { resumed });
      const known = latest.get(id);
      if (known !== undefined && known.status !== 'pending') end(known);
    },
    pending: () => [...watched.keys()],
    latest: (id) => latest.get(id),
    async settle(stop) {
      let stopped = false;
      void stop.then(() => {
        stopped = true;
        wake();
      });
      while (watched.size > 0 && !stopped) {
        const left = activity + idleMs - Date.now();
        if (left <= 0) return 'idle';
        await new Promise<void>((resolveWait) => {
          const timer = setTimeout(resolveWait, left);
          wake = () => {
            clearTimeout(timer);
            resolveWait();
          };
        });
        wake = () => {};
      }
      return stopped ? 'stopped' : 'done';
    },
    off() {
      for (const off of offs) off();
    },
  };
}
