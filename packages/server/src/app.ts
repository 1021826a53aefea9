/**
 * The HTTP application: Fastify with the protocol's CBOR error bodies, request-latency metrics, and each
 * module's routes (registered by the composition root, index.ts, which owns every dependency).
 */
import { readFileSync } from 'node:fs';
import { errorBody } from '@sotto/protocol';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ServerConfig } from './config.js';
import { ApiError, toApiError } from './errors.js';
import { acceptCbor, sendBody } from './http.js';
import type { ServerMetrics } from './modules/metrics/server-metrics.js';
import type { TrustFunction } from './trust-proxy.js';

/**
 * Creates the Fastify instance (HTTPS when `config.tls` is set; `request.ip` believes the proxies that
 * `trustProxy` trusts) with error handling and metrics hooks.
 */
export function createApp(
  config: ServerConfig,
  logger: Logger,
  metrics: ServerMetrics,
  trustProxy: TrustFunction | undefined,
): FastifyInstance {
  const https =
    config.tls === undefined
      ? null
      : { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) };
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: config.limits.maxBodyBytes,
    ...(trustProxy === undefined ? {} : { trustProxy }),
    ...(https === null ? {} : { https }),
  }) as unknown as FastifyInstance;
  acceptCbor(app);

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe(reply.elapsedTime / 1000, { route, status: String(reply.statusCode) });
  });

  app.setErrorHandler((err: FastifyError | ApiError, req, reply) => {
    let api: ApiError;
    if (err instanceof ApiError) api = err;
    else if ('statusCode' in err && err.statusCode === 413) api = new ApiError('FRAME_TOO_LARGE');
    else if ('statusCode' in err && typeof err.statusCode === 'number' && err.statusCode < 500) {
      api = new ApiError('BAD_FRAME', 'The request is malformed.');
    } else {
      api = toApiError(err);
      if (api.code === 'INTERNAL') req.log.error({ err: { message: err.message } }, 'request failed');
    }
    metrics.errors.inc({ code: api.code });
    const body = { code: api.code, message: api.message, ...(api.devices ? { devices: api.devices } : {}) };
    return sendBody(reply, errorBody, body, api.status);
  });

  app.setNotFoundHandler((_req, reply) =>
    sendBody(reply, errorBody, { code: 'BAD_FRAME', message: 'No such endpoint.' }, 404),
  );
  return app;
}
