import type { FastifyInstance } from 'fastify';
import type { GraphService } from '../../graph-service';
import { getStoryline, listStorylines, storylineDocuments, type Page } from '../../graph/graph-queries';
import { idParams, PAGING_DESCRIPTION, STORYLINE_DESCRIPTION, storylineQuery, storylinesQuery } from '../api.schemas';

export function registerStorylineRoutes(app: FastifyInstance, service: GraphService): void {
  app.get<{ Querystring: Page }>(
    '/storylines',
    { schema: { tags: ['storylines'], summary: 'Storylines, most events first (then id)', description: PAGING_DESCRIPTION, querystring: storylinesQuery } },
    async (request) => listStorylines(service.model, request.query),
  );
  app.get<{ Params: { id: string }; Querystring: Page }>(
    '/storylines/:id',
    {
      schema: {
        tags: ['storylines'],
        summary: 'One storyline: a page of its timeline (events by date), key entities, span',
        description: STORYLINE_DESCRIPTION,
        params: idParams,
        querystring: storylineQuery,
      },
    },
    async (request) => getStoryline(service.model, request.params.id, request.query),
  );
  app.get<{ Params: { id: string }; Querystring: Page }>(
    '/storylines/:id/documents',
    {
      schema: {
        tags: ['storylines'],
        summary: "A storyline's document ids, by id",
        description: PAGING_DESCRIPTION,
        params: idParams,
        querystring: storylinesQuery,
      },
    },
    async (request) => storylineDocuments(service.model, request.params.id, request.query),
  );
}
