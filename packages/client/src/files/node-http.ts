/**
 * Upload requests over node:http(s), for the SDK in Node. undici's `fetch` copies every request body and
 * sends it in small steps: against the real server, 8 MiB PATCHes went about 40% slower through it than
 * through node:http (ADR 0015). Here a body may also be an async iterable of byte arrays, written as it
 * is produced with the socket's backpressure: an upload streams the whole file in one PATCH (browsers
 * cannot stream request bodies over HTTP/1.1 and send one bounded PATCH after another). Browsers keep
 * `fetch`, and downloads use `fetch` everywhere (its streamed answers cost nothing extra). Only what the
 * tus client needs: a method, headers, a body and a signal; the answer's status and headers (its body is
 * dropped).
 */

import type { FetchLike } from '../http.js';

/** True in Node (not in a browser, where `process` does not exist). */
export function inNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: unknown } } }).process;
  return typeof p?.versions?.node === 'string';
}

function headersOf(raw: Record<string, string | string[] | undefined>): Headers {
  const out = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) out.append(k, one);
  }
  return out;
}

/** A request body: bytes, or bytes as they are produced. */
export type StreamBody = Uint8Array | AsyncIterable<Uint8Array>;

function isIterable(body: unknown): body is AsyncIterable<Uint8Array> {
  return typeof (body as AsyncIterable<Uint8Array>)?.[Symbol.asyncIterator] === 'function';
}

/** Writes `body` into `req` as it comes, waiting whenever the socket is full; ends the request. */
async function writeBody(
  req: import('node:http').ClientRequest,
  body: AsyncIterable<Uint8Array>,
): Promise<void> {
  for await (const chunk of body) {
    if (req.destroyed) return; // leaving the loop ends the iterator (its clean-up runs)
    if (!req.write(chunk)) {
      await new Promise<void>((resolve) => {
        const go = () => {
          req.off('drain', go);
          req.off('close', go);
          resolve();
        };
        req.on('drain', go);
        req.on('close', go);
      });
    }
  }
  if (!req.destroyed) req.end();
}

/** A `fetch` for bodiless answers over node:http(s); see the module comment. */
export const nodeUploadFetch: FetchLike = async (input, init = {}) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const http = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, key) => {
    headers[key] = value;
  });
  const body = init.body as unknown;
  if (body !== undefined && body !== null && !(body instanceof Uint8Array) && !isIterable(body)) {
    throw new TypeError('nodeUploadFetch sends byte bodies only');
  }
  return new Promise<Response>((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: init.method ?? 'GET',
        headers,
        ...(init.signal === undefined || init.signal === null ? {} : { signal: init.signal }),
      },
      (res) => {
        res.on('error', reject);
        res.on('end', () => {
          try {
            resolve(new Response(null, { status: res.statusCode ?? 502, headers: headersOf(res.headers) }));
          } catch (err) {
            reject(err);
          }
        });
        res.resume();
      },
    );
    req.on('error', reject);
    if (!isIterable(body)) {
      req.end(body ?? undefined);
      return;
    }
    writeBody(req, body).catch((err: unknown) => {
      // The body failed (the file could not be read): the request goes, with that error.
      req.destroy();
      reject(err);
    });
  });
};
