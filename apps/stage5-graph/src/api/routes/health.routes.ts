import type { FastifyInstance } from 'fastify';
import type { GraphService } from '../../graph-service';

export function registerHealthRoutes(app: FastifyInstance, service: GraphService): void {
  app.get(
    '/healthz',
    { schema: { tags: ['operations'], summary: 'Liveness and readiness: Stage 5 database, registry, last sync' } },
    async (_request, reply) => {
      // Both at once, each within its own bound. The registry is checked now: the last check's
      // verdict may be from before it went away or came back.
      const [database, registry] = await Promise.all([
        service.store.ping(),
        service.registry.enabled ? service.registry.checkedStatus() : Promise.resolve(null),
      ]);
      const body = {
        // Served either way (200 while its own database answers); 'degraded' says what is behind.
        status: database && registry?.breaker !== 'open' ? 'ok' : 'degraded',
        database,
        registry: { enabled: service.registry.enabled, ...(registry ?? {}) },
        graph: { nodes: service.model.graph.order, edges: service.model.graph.size, enrichedAt: service.model.stats().enrichedAt },
        lastSync: service.lastSync
          ? { jobs: service.lastSync.jobs.length, failedJobs: service.lastSync.failedJobs, watermark: service.lastSync.watermark }
          : null,
        lastSyncError: service.lastSyncError,
      };
      return reply.status(database ? 200 : 503).send(body);
    },
  );
  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics' } }, async (_request, reply) => {
    reply.header('content-type', service.metricsRegistry.contentType);
    return service.metricsText();
  });
}
