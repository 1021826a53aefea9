/**
 * Writing a download to its sink in batches: the verified chunks (64 KiB) are gathered to at least 1 MiB
 * per `write`, and one write runs while the next batch is gathered, so a sink on disk makes a few large
 * writes instead of many small ones and the download does not wait on each of them.
 */

import type { FileSink } from './sink.js';

/** Bytes gathered before a write. */
export const SINK_BATCH_BYTES = 1 << 20;

function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Batches writes to one sink; see the module comment. */
export class SinkWriter {
  private parts: Uint8Array[] = [];
  private size = 0;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly sink: FileSink,
    private readonly batch = SINK_BATCH_BYTES,
  ) {}

  /** Adds verified bytes; starts a write once a batch is gathered (throws a previous write's failure). */
  async write(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return;
    this.parts.push(bytes);
    this.size += bytes.length;
    if (this.size >= this.batch) await this.flush();
  }

  /** Writes what is left and waits until every write ended. */
  async end(): Promise<void> {
    if (this.size > 0) await this.flush();
    await this.inFlight;
  }

  /** Waits for the write in flight, whatever its outcome (before the sink is aborted). */
  async settle(): Promise<void> {
    await this.inFlight.catch(() => undefined);
  }

  private async flush(): Promise<void> {
    const data = concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    await this.inFlight;
    this.inFlight = this.sink.write(data);
    this.inFlight.catch(() => undefined); // awaited by the next flush or end
  }
}
