/**
 * Expiry and garbage collection of files, in the relay's sweep style (every node runs it; every step is
 * idempotent, so nodes sweeping together do no harm):
 * - expiry: records past `expiresAt` (an upload unfinished when its token expired, a finished file past
 *   the maximum age) are deleted, then their bytes. An upload found complete in the blob store is
 *   completed instead (its last byte arrived, but the server stopped before recording it).
 * - collection, both ways: bytes in the blob store with no record are deleted; a finished file's record
 *   whose bytes are missing (or not of its size) is deleted, freeing the quota it held. An unfinished
 *   record without bytes is left to expire: its upload may be being created at this moment.
 */
import type { FileRecord, FileRecords } from '../../store/file-records.js';
import type { BlobStore } from './blob-store.js';

/** How many records one query reads. */
const PAGE = 500;

/** What the sweep reads and reports to. */
export interface SweepDeps {
  readonly records: FileRecords;
  readonly blobs: BlobStore;
  readonly now: () => number;
  readonly fileMaxAgeMs: number;
  readonly onError: (err: unknown) => void;
}

/** What one run did. */
export interface SweepResult {
  /** Records deleted because they expired (with their bytes). */
  readonly expired: number;
  /** Uploads found complete in the blob store and recorded as finished. */
  readonly completed: number;
  /** Blob-store entries without a record, and finished records without bytes, deleted. */
  readonly collected: number;
}

/** Deletes what expired; completes uploads whose bytes are all there. */
async function expire(deps: SweepDeps): Promise<{ expired: number; completed: number }> {
  let expired = 0;
  let completed = 0;
  const skip = new Set<string>();
  for (;;) {
    const now = deps.now();
    const batch = (await deps.records.expired(now, PAGE + skip.size)).filter((r) => !skip.has(r.id));
    if (batch.length === 0) return { expired, completed };
    for (const r of batch) {
      if (await finishedMeanwhile(r, deps)) {
        if (await deps.records.complete(r.id, now, now + deps.fileMaxAgeMs)) completed++;
        continue;
      }
      if (await deps.records.delete(r.id)) expired++;
      if (r.state !== 'authorized') await deps.blobs.remove(r.id).catch(deps.onError);
    }
    // A record that could not be deleted (another node did, or it changed) is not asked for again.
    for (const r of batch) skip.add(r.id);
    if (batch.length < PAGE) return { expired, completed };
  }
}

/** True for an upload whose every declared byte is in the blob store. */
async function finishedMeanwhile(r: FileRecord, deps: SweepDeps): Promise<boolean> {
  if (r.state !== 'uploading' || r.size === undefined) return false;
  return (await deps.blobs.offset(r.id).catch(() => undefined)) === r.size;
}

/** True when the finished file `r` has all of its bytes in the blob store. */
async function hasBytes(r: FileRecord, deps: SweepDeps): Promise<boolean> {
  const probe = await deps.blobs.read(r.id, r.size ?? -1, 0, 0);
  probe?.destroy();
  return probe !== undefined;
}

/** Deletes blob-store entries without records, and finished records without bytes. */
async function collect(deps: SweepDeps): Promise<number> {
  let collected = 0;
  for await (const ids of deps.blobs.ids()) {
    const known = await deps.records.existing(ids);
    for (const id of new Set(ids)) {
      if (known.has(id)) continue;
      await deps.blobs.remove(id);
      collected++;
    }
  }
  let after = '';
  for (;;) {
    const page = await deps.records.page(after, PAGE);
    for (const r of page) {
      if (r.state !== 'complete' || (await hasBytes(r, deps))) continue;
      if (await deps.records.delete(r.id)) collected++;
    }
    const last = page.at(-1);
    if (last === undefined || page.length < PAGE) return collected;
    after = last.id;
  }
}

/** Runs expiry, then (when `collectOrphans`) garbage collection. */
export async function sweepFiles(deps: SweepDeps, collectOrphans: boolean): Promise<SweepResult> {
  const { expired, completed } = await expire(deps);
  const collected = collectOrphans ? await collect(deps) : 0;
  return { expired, completed, collected };
}
