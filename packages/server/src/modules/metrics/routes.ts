/** `/healthz` (the process answers), `/readyz` (the database answers, not draining) and `/metrics`. */
import type { FastifyInstance } from 'fastify';
import type { Bus } from '../../bus/bus.js';
import type { Store } from '../../store/store.js';
import type { ServerMetrics } from './server-metrics.js';

/** What the health routes read. */
export interface HealthDeps {
  readonly store: Store;
  readonly bus: Bus;
  readonly metrics: ServerMetrics;
  /** True once shutdown began: readiness fails so a load balancer stops sending traffic. */
  readonly draining: () => boolean;
}

/** Registers the health and metrics routes. */
export function registerHealthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    if (deps.draining()) return reply.code(503).send({ status: 'draining' });
    try {
      await deps.store.ping();
      await deps.bus.ping();
    } catch {
      return reply.code(503).send({ status: 'unavailable' });
    }
    return { status: 'ready' };
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8');
    return deps.metrics.registry.render();
  });
}
