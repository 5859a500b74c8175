import type { FastifyInstance } from 'fastify';
import type { GraphService } from '../../graph-service';
import { getStoryline, listStorylines } from '../../graph/graph-queries';
import { idParams, storylinesQuery } from '../api.schemas';

export function registerStorylineRoutes(app: FastifyInstance, service: GraphService): void {
  app.get<{ Querystring: { limit: number; offset: number } }>(
    '/storylines',
    { schema: { tags: ['storylines'], summary: 'Storylines, most events first', querystring: storylinesQuery } },
    async (request) => listStorylines(service.model, request.query),
  );
  app.get<{ Params: { id: string } }>(
    '/storylines/:id',
    { schema: { tags: ['storylines'], summary: 'One storyline: its timeline (events by date), key entities, span', params: idParams } },
    async (request) => getStoryline(service.model, request.params.id),
  );
}
