/**
 * CBOR over HTTP for what is not real-time (registration, login, adding a device, the public directory).
 * Bodies are validated with the protocol's schemas in both directions; an error body becomes a
 * `SottoError` with the server's code. A network failure moves on to the next configured server.
 */

import { SottoError } from '@sotto/crypto';
import { CBOR_CONTENT_TYPE, decodeBody, encodeBody, errorBody, type Schema } from '@sotto/protocol';

/** A `fetch` function (the global one by default). */
export type FetchLike = typeof fetch;

/** HTTP access to the configured servers. */
export class Http {
  private index = 0;

  constructor(
    private readonly urls: readonly string[],
    private readonly fetchFn: FetchLike = (...args) => globalThis.fetch(...args),
  ) {}

  /** POSTs `body` (checked by `request`) and returns the answer checked by `response`. */
  async post<Q, R>(path: string, request: Schema<Q>, body: Q, response: Schema<R>): Promise<R> {
    const bytes = encodeBody(request, body);
    return this.call(
      path,
      { method: 'POST', headers: { 'content-type': CBOR_CONTENT_TYPE }, body: new Uint8Array(bytes) },
      response,
    );
  }

  /** GETs `path` and returns the answer checked by `response`. */
  async get<R>(path: string, response: Schema<R>): Promise<R> {
    return this.call(path, { method: 'GET' }, response);
  }

  private async call<R>(path: string, init: RequestInit, response: Schema<R>): Promise<R> {
    let lastError: unknown;
    for (let i = 0; i < this.urls.length; i++) {
      const base = this.urls[(this.index + i) % this.urls.length] ?? '';
      let res: Response;
      try {
        res = await this.fetchFn(new URL(path, base).toString(), init);
      } catch (err) {
        lastError = err;
        continue;
      }
      this.index = (this.index + i) % this.urls.length;
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (!res.ok) {
        let code: SottoError['code'] = 'INTERNAL';
        let message = `The server answered HTTP ${res.status}.`;
        try {
          const e = decodeBody(errorBody, bytes);
          code = e.code;
          message = e.message;
        } catch {
          // not a CBOR error body (a proxy's page): keep the generic error
        }
        throw new SottoError(code, message);
      }
      return decodeBody(response, bytes);
    }
    throw new SottoError('NOT_CONNECTED', 'No server could be reached.', { cause: lastError });
  }
}
