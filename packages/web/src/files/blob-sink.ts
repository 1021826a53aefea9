/**
 * A download sink that moves the verified plaintext out of the JavaScript heap as it arrives: every
 * {@link FOLD_BYTES} the pieces written so far are folded into a `Blob` (the browser keeps large blobs in
 * its own storage, on disk if need be). The SDK's `blobSink` holds every piece until the end, so a 100 MB
 * file would sit in the heap twice at its close. The Blob is handed out only after `close`, which the SDK
 * calls once the whole file is verified; `abort` drops everything.
 */
import type { FileSink } from '@sotto/client';

/** Bytes held in the heap before they are folded into the Blob. */
export const FOLD_BYTES = 8 << 20;

/** A {@link FileSink} whose `blob()` is the verified file once closed. */
export interface FoldingBlobSink extends FileSink {
  /** The whole file; undefined before `close` or after `abort`. */
  blob(): Blob | undefined;
}

/** A sink building a Blob of `mediaType`. */
export function foldingBlobSink(mediaType: string): FoldingBlobSink {
  let folded: Blob[] = [];
  let pieces: Uint8Array<ArrayBuffer>[] = [];
  let held = 0;
  let result: Blob | undefined;
  let ended = false;
  const fold = () => {
    if (pieces.length === 0) return;
    folded = [new Blob([...folded, ...pieces])];
    pieces = [];
    held = 0;
  };
  return {
    async write(bytes) {
      if (ended) throw new Error('The download sink is closed.');
      pieces.push(bytes as Uint8Array<ArrayBuffer>);
      held += bytes.length;
      if (held >= FOLD_BYTES) fold();
    },
    async close() {
      ended = true;
      result = new Blob([...folded, ...pieces], { type: mediaType });
      folded = [];
      pieces = [];
    },
    async abort() {
      ended = true;
      folded = [];
      pieces = [];
    },
    blob: () => result,
  };
}
