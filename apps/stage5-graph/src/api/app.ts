import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import { PipelineError } from '@storytelling/common';
import { GraphNotFoundError, GraphQueryError } from '../stage5.errors';
import type { GraphService } from '../graph-service';
import { registerEntityRoutes } from './routes/entity.routes';
import { registerEventRoutes } from './routes/event.routes';
import { registerExportRoutes } from './routes/export.routes';
import { registerGraphRoutes } from './routes/graph.routes';
import { registerHealthRoutes } from './routes/health.routes';
import { registerStorylineRoutes } from './routes/storyline.routes';

export interface BuildAppOptions {
  service: GraphService;
  /** fastify's logger option (default: off; main.ts passes the service's pino logger). */
  logger?: FastifyServerOptions['logger'] | FastifyServerOptions['loggerInstance'];
}

/**
 * The HTTP API over the served graph; `listen()` is left to the caller, tests use `inject()`.
 * Inputs are validated by JSON schemas: a bad request gets a 400 naming the field.
 */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { service } = options;
  const app = Fastify({
    ...(isLoggerInstance(options.logger) ? { loggerInstance: options.logger } : { logger: options.logger ?? false }),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
  }) as unknown as FastifyInstance;
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Stage 5: story graph',
        description: 'Documents, events, entities and storylines that Stage 2 wrote to the metadata registry, as an enriched graph.',
        version: '0.1.0',
      },
      tags: [
        { name: 'graph' },
        { name: 'storylines' },
        { name: 'entities' },
        { name: 'events' },
        { name: 'export' },
        { name: 'operations' },
      ],
    },
  });
  app.addHook('onResponse', async (request, reply) => {
    service.metrics.httpSeconds.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.setErrorHandler((error: Error & { validation?: unknown; statusCode?: number }, request, reply) => {
    if (error.validation) {
      return reply.status(400).send({ statusCode: 400, error: 'Bad Request', code: 'VALIDATION', message: error.message });
    }
    if (error instanceof GraphNotFoundError) {
      return reply.status(404).send({ statusCode: 404, error: 'Not Found', code: error.code, message: error.message });
    }
    if (error instanceof GraphQueryError) {
      return reply.status(400).send({ statusCode: 400, error: 'Bad Request', code: error.code, message: error.message });
    }
    if (error instanceof PipelineError && ['REGISTRY_DISABLED', 'STAGE5_SYNC_STOPPED', 'STAGE5_SYNC_STANDBY'].includes(error.code)) {
      return reply.status(503).send({ statusCode: 503, error: 'Service Unavailable', code: error.code, message: error.message });
    }
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(status).send({
      statusCode: status,
      error: status >= 500 ? 'Internal Server Error' : 'Bad Request',
      code: error instanceof PipelineError ? error.code : 'INTERNAL',
      message: error.message,
    });
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  registerHealthRoutes(app, service);
  registerGraphRoutes(app, service);
  registerStorylineRoutes(app, service);
  registerEntityRoutes(app, service);
  registerEventRoutes(app, service);
  registerExportRoutes(app, service);
  return app;
}

const isLoggerInstance = (logger: unknown): logger is FastifyServerOptions['loggerInstance'] =>
  typeof logger === 'object' && logger !== null && typeof (logger as { child?: unknown }).child === 'function';
