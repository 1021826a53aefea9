/**
 * A small tus 1.0.0 client over `fetch` (https://tus.io/protocols/resumable-upload: the core protocol and
 * the creation extension), enough for Sotto's uploads and nothing more, so it runs in
 * browsers and Node without a dependency. Each PATCH carries one bounded buffer (browsers cannot stream
 * request bodies over HTTP/1.1). HTTP failures become `SottoError`s; {@link TusError.transient} says
 * whether trying again may help. Tokens and ids never appear in an error message.
 */

import { SottoError } from '@sotto/crypto';
import { ROUTES } from '@sotto/protocol';
import type { FetchLike } from '../http.js';
import { type AttemptSignal, attemptSignal } from './deadline.js';

/** The tus protocol version every request names. */
export const TUS_VERSION = '1.0.0';

const FILE_ID = /^[0-9a-f]{32}$/;

/** An HTTP failure of a tus request. */
export class TusError extends SottoError {
  constructor(
    code: SottoError['code'],
    message: string,
    /** True for failures worth retrying: network errors, 5xx, 429, an offset conflict. */
    readonly transient: boolean,
    /** True for `409 Conflict`: the offset sent is not the server's (ask it with HEAD). */
    readonly conflict = false,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** The URL of a file (upload and download) on server `base`. */
export function fileUrl(base: string, fileId: string): string {
  return new URL(`${ROUTES.files}/${fileId}`, base).toString();
}

/** Maps an HTTP status to an error; `what` names the request (no ids, no tokens). */
export function statusError(status: number, what: string): TusError {
  const say = (s: string) => `${what}: ${s} (HTTP ${status}).`;
  if (status === 401 || status === 403) {
    return new TusError('UNAUTHENTICATED', say('the upload token was refused'), false);
  }
  if (status === 404 || status === 410) return new TusError('FILE_NOT_FOUND', say('no such file'), false);
  if (status === 409) return new TusError('INTERNAL', say('the offset does not match'), true, true);
  if (status === 413) return new TusError('FILE_TOO_LARGE', say('too large'), false);
  if (status === 429) return new TusError('RATE_LIMITED', say('too many requests'), true);
  return new TusError('INTERNAL', say('the server failed'), status >= 500);
}

/** A network failure (or a cancellation, when `signal` was aborted). */
export function networkError(err: unknown, signal: AbortSignal, what: string): SottoError {
  if (signal.aborted) return new SottoError('CANCELLED', undefined, { cause: err });
  return new TusError('NOT_CONNECTED', `${what}: the connection failed.`, true, false, { cause: err });
}

function offsetOf(res: Response, what: string): number {
  const raw = res.headers.get('upload-offset');
  const n = raw === null || !/^\d{1,16}$/.test(raw) ? Number.NaN : Number(raw);
  if (!Number.isSafeInteger(n)) throw new TusError('INTERNAL', `${what}: no valid Upload-Offset.`, true);
  return n;
}

/** How long one tus request may go without progress before it is abandoned (and retried). */
export const TUS_IDLE_MS = 120_000;

/** `chunks`, restarting the attempt's idle timer at each one. */
async function* touching(
  chunks: AsyncIterable<Uint8Array>,
  attempt: AttemptSignal,
): AsyncIterable<Uint8Array> {
  for await (const chunk of chunks) {
    attempt.touch();
    yield chunk;
  }
}

/** The tus requests of one server, authorized by a bearer token. */
export class TusClient {
  constructor(
    private readonly base: string,
    private readonly fetchFn: FetchLike = (...args) => globalThis.fetch(...args),
    private readonly idleMs = TUS_IDLE_MS,
  ) {}

  /**
   * Sends one request under the transfer's `signal`, abandoned when it makes no progress for `idleMs`
   * (`init` may take the attempt, to report progress of a streamed body).
   */
  private async send(
    url: string,
    init: RequestInit | ((attempt: AttemptSignal) => RequestInit),
    signal: AbortSignal,
    what: string,
  ): Promise<Response> {
    const attempt = attemptSignal(signal, this.idleMs);
    try {
      const options = typeof init === 'function' ? init(attempt) : init;
      return await this.fetchFn(url, { ...options, signal: attempt.signal });
    } catch (err) {
      if (SottoError.is(err) && !signal.aborted) throw err; // from the body's source, not the network
      throw networkError(err, signal, what);
    } finally {
      attempt.dispose();
    }
  }

  private headers(token: string, extra: Record<string, string> = {}): Record<string, string> {
    return { 'tus-resumable': TUS_VERSION, authorization: `Bearer ${token}`, ...extra };
  }

  /** Creates an upload of `length` bytes (tus creation); returns its file id. */
  async create(token: string, length: number, signal: AbortSignal): Promise<string> {
    const what = 'Creating the upload';
    const res = await this.send(
      new URL(ROUTES.files, this.base).toString(),
      { method: 'POST', headers: this.headers(token, { 'upload-length': String(length) }) },
      signal,
      what,
    );
    await res.body?.cancel();
    if (res.status !== 201) throw statusError(res.status, what);
    const location = res.headers.get('location') ?? '';
    let id: string | undefined;
    try {
      id = new URL(location, this.base).pathname.split('/').at(-1);
    } catch {
      id = undefined;
    }
    if (id === undefined || !FILE_ID.test(id)) {
      throw new TusError('INTERNAL', `${what}: the server named no valid file id.`, false);
    }
    return id;
  }

  /** The server's offset of upload `fileId` (tus HEAD). */
  async offset(token: string, fileId: string, signal: AbortSignal): Promise<number> {
    const what = 'Asking for the upload offset';
    const res = await this.send(
      fileUrl(this.base, fileId),
      { method: 'HEAD', headers: this.headers(token), cache: 'no-store' },
      signal,
      what,
    );
    if (res.status !== 200 && res.status !== 204) throw statusError(res.status, what);
    return offsetOf(res, what);
  }

  /** Appends `bytes` at `offset` (tus PATCH); returns the server's new offset. */
  async patch(
    token: string,
    fileId: string,
    offset: number,
    bytes: Uint8Array,
    signal: AbortSignal,
  ): Promise<number> {
    const what = 'Uploading';
    const res = await this.send(
      fileUrl(this.base, fileId),
      {
        method: 'PATCH',
        headers: this.headers(token, {
          'content-type': 'application/offset+octet-stream',
          'upload-offset': String(offset),
        }),
        body: bytes as Uint8Array<ArrayBuffer>,
      },
      signal,
      what,
    );
    await res.body?.cancel();
    if (res.status !== 204 && res.status !== 200) throw statusError(res.status, what);
    return offsetOf(res, what);
  }

  /**
   * Appends `length` bytes at `offset`, streamed from `chunks` in one PATCH (needs a `fetch` that takes an
   * async iterable body, as `nodeUploadFetch` does); returns the server's new offset. Each chunk taken
   * counts as progress for the idle limit.
   */
  async patchStream(
    token: string,
    fileId: string,
    offset: number,
    length: number,
    chunks: AsyncIterable<Uint8Array>,
    signal: AbortSignal,
  ): Promise<number> {
    const what = 'Uploading';
    const res = await this.send(
      fileUrl(this.base, fileId),
      (attempt) => ({
        method: 'PATCH',
        headers: this.headers(token, {
          'content-type': 'application/offset+octet-stream',
          'content-length': String(length),
          'upload-offset': String(offset),
        }),
        body: touching(chunks, attempt) as unknown as BodyInit,
      }),
      signal,
      what,
    );
    await res.body?.cancel();
    if (res.status !== 204 && res.status !== 200) throw statusError(res.status, what);
    return offsetOf(res, what);
  }
}
