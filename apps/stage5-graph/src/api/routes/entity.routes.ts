import type { FastifyInstance } from 'fastify';
import type { GraphService } from '../../graph-service';
import { entityWithNeighbours } from '../../graph/graph-queries';
import { entityQuery, idParams } from '../api.schemas';

export function registerEntityRoutes(app: FastifyInstance, service: GraphService): void {
  app.get<{ Params: { id: string }; Querystring: { limit: number } }>(
    '/entities/:id',
    {
      schema: {
        tags: ['entities'],
        summary: 'An entity with its neighbours: events (by PageRank), documents and co-occurring entities (by weight)',
        params: idParams,
        querystring: entityQuery,
      },
    },
    async (request) => entityWithNeighbours(service.model, request.params.id, request.query.limit),
  );
}
