/**
 * Sending the files a person attached. Each file becomes one file message (the caption goes with the
 * first that is stored); images get a thumbnail made here, audio and video their duration. The SDK's
 * `sendFile` resolves only once the upload is done, so the page learns a message's id earlier, from the
 * upload's first progress report (the SDK reports 0 bytes right after storing the message): the sends
 * of this page run one at a time, so the first report of an unclaimed upload of the file's size is it.
 * Until the upload ends the page keeps the `File`, to show this device's own image at once and to send
 * it again after a failure (the SDK keeps a browser file's source only while its upload runs, so its
 * `resend` cannot restart a browser upload: the page sends the file again as a new message instead).
 */
import {
  fileFromBlob,
  type Message,
  type SendFileOptions,
  type SottoClient,
  SottoError,
} from '@sotto/client';
import { mediaDuration } from './duration.js';
import { kindOf } from './kinds.js';
import type { ProgressBoard } from './progress.js';
import { makeThumbnail } from './thumbnail.js';

/** What is left of a draft after {@link FileSender.send}: what was not stored, and why. */
export interface Leftover {
  /** The caption, when no file was stored to carry it. */
  readonly text: string;
  readonly files: readonly File[];
  readonly error?: unknown;
}

/** The options of a file: thumbnail for images, duration for audio and video. */
async function describe(file: File, caption: string): Promise<SendFileOptions> {
  const kind = kindOf(file.type);
  const thumbnail = kind === 'image' ? await makeThumbnail(file) : undefined;
  const durationMs = kind === 'audio' || kind === 'video' ? await mediaDuration(file, kind) : undefined;
  return {
    ...(caption === '' ? {} : { caption }),
    ...(thumbnail === undefined ? {} : { thumbnail }),
    ...(durationMs === undefined ? {} : { durationMs }),
  };
}

/** The page's file sends. */
export class FileSender {
  /** This page's own files, by message id. */
  private readonly sources = new Map<string, Blob>();
  private readonly claimed = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: SottoClient,
    private readonly progress: ProgressBoard,
  ) {}

  /** The page's own file of message `id` (while this page runs). */
  source(id: string): Blob | undefined {
    return this.sources.get(id);
  }

  /**
   * Sends `files` to `to`, `text` as the caption of the first; `stored` is called after each message is
   * stored (it shows at once). Resolves once every message is stored (uploads go on), with what was not.
   */
  send(to: string, text: string, files: readonly File[], stored: () => void): Promise<Leftover> {
    const run = this.queue.then(async (): Promise<Leftover> => {
      let caption = text;
      const left: File[] = [];
      let error: unknown;
      for (const file of files) {
        try {
          await this.start(to, file, await describe(file, caption));
          caption = '';
          stored();
        } catch (err) {
          left.push(file);
          error = err;
        }
      }
      return { text: caption, files: left, ...(error === undefined ? {} : { error }) };
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Sends failed message `m` again: by the SDK when it can, else (a browser upload) this page's file as
   * a new message, and the failed one is deleted. Resolves with the id of the message deleted, if any.
   * Throws INVALID_ARGUMENT when the file is not in this page any more (after a reload).
   */
  async retry(m: Message, stored: () => void): Promise<string | undefined> {
    try {
      await this.client.resend(m.id);
      return undefined;
    } catch (err) {
      if (!SottoError.is(err, 'INVALID_ARGUMENT') || m.file === undefined) throw err;
    }
    const file = this.sources.get(m.id);
    if (file === undefined) {
      throw new SottoError('INVALID_ARGUMENT', 'This file is not in this browser any more: attach it again.');
    }
    const { thumbnail, durationMs } = m.file;
    const run = this.queue.then(() =>
      this.start(m.conversation, file, {
        ...(m.text === '' ? {} : { caption: m.text }),
        ...(thumbnail === undefined ? {} : { thumbnail }),
        ...(durationMs === undefined ? {} : { durationMs }),
      }),
    );
    this.queue = run.catch(() => undefined);
    await run;
    stored();
    await this.client.deleteMessage(m.id);
    this.forget(m.id);
    return m.id;
  }

  /** Forgets message `id` (deleted). */
  forget(id: string): void {
    this.sources.delete(id);
  }

  /**
   * Starts sending `file`; resolves with the message id once the message is stored. Rejects when nothing
   * was stored; later failures show on the message (failed), so they are not reported here.
   */
  private async start(to: string, file: Blob, options: SendFileOptions): Promise<string> {
    try {
      return await this.startOnce(to, file, options);
    } catch (err) {
      // A long caption and a thumbnail may not fit in one message together: then without the thumbnail.
      if (!SottoError.is(err, 'INVALID_ARGUMENT') || options.thumbnail === undefined) throw err;
      const { thumbnail: _, ...rest } = options;
      return this.startOnce(to, file, rest);
    }
  }

  private startOnce(to: string, file: Blob, options: SendFileOptions): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      let id: string | undefined;
      const claim = (messageId: string) => {
        id = messageId;
        this.claimed.add(messageId);
        this.sources.set(messageId, file);
        resolve(messageId);
      };
      const off = this.progress.onUploadStart((p) => {
        if (id !== undefined || this.claimed.has(p.messageId) || p.total !== file.size) return;
        off();
        claim(p.messageId);
      });
      this.client.sendFile(to, fileFromBlob(file), options).then(
        (r) => {
          off();
          if (id === undefined) claim(r.messageId);
        },
        (err: unknown) => {
          off();
          if (id === undefined) reject(err);
        },
      );
    });
  }
}
