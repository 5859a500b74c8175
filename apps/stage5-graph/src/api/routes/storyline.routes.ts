import type { FastifyInstance } from 'fastify';
import type { GraphService } from '../../graph-service';
import { getStoryline, listStorylines, type Page } from '../../graph/graph-queries';
import { idParams, PAGING_DESCRIPTION, storylinesQuery } from '../api.schemas';

export function registerStorylineRoutes(app: FastifyInstance, service: GraphService): void {
  app.get<{ Querystring: Page }>(
    '/storylines',
    { schema: { tags: ['storylines'], summary: 'Storylines, most events first (then id)', description: PAGING_DESCRIPTION, querystring: storylinesQuery } },
    async (request) => listStorylines(service.model, request.query),
  );
  app.get<{ Params: { id: string } }>(
    '/storylines/:id',
    { schema: { tags: ['storylines'], summary: 'One storyline: its timeline (events by date), key entities, span', params: idParams } },
    async (request) => getStoryline(service.model, request.params.id),
  );
}
