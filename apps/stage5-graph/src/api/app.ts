import { STATUS_CODES } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import { PipelineError } from '@storytelling/common';
import { GraphExportInterruptedError, GraphNotFoundError, GraphQueryError, GraphStoreError, RegistryUnavailableError } from '../stage5.errors';
import type { GraphService } from '../graph-service';
import { registerEntityRoutes } from './routes/entity.routes';
import { registerEventRoutes } from './routes/event.routes';
import { registerExportRoutes } from './routes/export.routes';
import { registerGraphRoutes } from './routes/graph.routes';
import { registerHealthRoutes } from './routes/health.routes';
import { registerStorylineRoutes } from './routes/storyline.routes';
import { ID_MAX_LENGTH } from './api.schemas';

export interface BuildAppOptions {
  service: GraphService;
  /** fastify's logger option (default: off; main.ts passes the service's pino logger). */
  logger?: FastifyServerOptions['logger'] | FastifyServerOptions['loggerInstance'];
  /** How long `close()` lets open exports run before it stops them (default 5 s). */
  exportCloseGraceMs?: number;
}

/** Long enough for a nearly finished download, short beside an orchestrator's wait after SIGTERM (30 s in Kubernetes). */
const EXPORT_CLOSE_GRACE_MS = 5_000;

/**
 * The HTTP API over the served graph; `listen()` is left to the caller, tests use `inject()`.
 * Inputs are validated by JSON schemas: a bad request gets a 400 naming the field.
 */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { service } = options;
  const app = Fastify({
    ...(isLoggerInstance(options.logger) ? { loggerInstance: options.logger } : { logger: options.logger ?? false }),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
    // The router measures a path parameter decoded, in UTF-16 units, before the schema sees it; its
    // default (100) answered 414 to ids the schema allows. An id of ID_MAX_LENGTH characters outside
    // the BMP takes two units each; what is longer still gets the router's 414.
    routerOptions: { maxParamLength: 2 * ID_MAX_LENGTH },
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
  // A 5xx body never carries the error's message (a driver's names hosts, queries, source paths):
  // it is logged, and the body has a stable code. 4xx messages are the API's or fastify's own.
  app.setErrorHandler((error: Error & { validation?: unknown; statusCode?: number; code?: unknown }, request, reply) => {
    const send = (status: number, code: string, message: string) =>
      reply.status(status).send({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', code, message });
    if (error.validation) return send(400, 'VALIDATION', error.message);
    if (error instanceof GraphNotFoundError) return send(404, error.code, error.message);
    if (error instanceof GraphQueryError) return send(400, error.code, error.message);
    if (error instanceof GraphStoreError) {
      request.log.error({ err: error }, "Stage 5's database failed a request");
      return send(503, error.code, "Stage 5's database did not answer; try again later");
    }
    // Refusals whose messages Stage 5 wrote for the client: nothing internal in them.
    if (error instanceof GraphExportInterruptedError || (error instanceof PipelineError && ['REGISTRY_DISABLED', 'STAGE5_SYNC_STOPPED', 'STAGE5_SYNC_STANDBY'].includes(error.code))) {
      return send(503, error.code, error.message);
    }
    if (error instanceof RegistryUnavailableError) {
      request.log.error({ err: error.cause }, 'the metadata registry did not answer');
      return send(503, error.code, error.message);
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status < 500) {
      // fastify's own client errors (415, 413, a body that is not JSON) keep their FST_ERR_* code.
      const code = error instanceof PipelineError ? error.code : typeof error.code === 'string' ? error.code : 'BAD_REQUEST';
      return send(status, code, error.message);
    }
    request.log.error({ err: error }, 'request failed');
    return send(status, error instanceof PipelineError ? error.code : 'INTERNAL', "The request failed; the error is in Stage 5's log");
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ statusCode: 404, error: 'Not Found', code: 'STAGE5_NOT_FOUND', message: `Route ${request.method}:${request.url} not found` }),
  );
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  registerHealthRoutes(app, service);
  registerGraphRoutes(app, service);
  registerStorylineRoutes(app, service);
  registerEntityRoutes(app, service);
  registerEventRoutes(app, service);
  registerExportRoutes(app, service, { closeGraceMs: options.exportCloseGraceMs ?? EXPORT_CLOSE_GRACE_MS });
  return app;
}

const isLoggerInstance = (logger: unknown): logger is FastifyServerOptions['loggerInstance'] =>
  typeof logger === 'object' && logger !== null && typeof (logger as { child?: unknown }).child === 'function';
