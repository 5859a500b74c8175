import type { FastifyInstance } from 'fastify';
import type { GraphService } from '../../graph-service';
import { queryEvents, type EventQuery } from '../../graph/graph-queries';
import { eventsQuery, PAGING_DESCRIPTION } from '../api.schemas';

export function registerEventRoutes(app: FastifyInstance, service: GraphService): void {
  app.get<{ Querystring: EventQuery }>(
    '/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Events by type, time span (inclusive) and entity, by date (then id; undated last)',
        description: PAGING_DESCRIPTION,
        querystring: eventsQuery,
      },
    },
    async (request) => queryEvents(service.model, request.query),
  );
}
