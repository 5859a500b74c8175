import type { FastifyInstance } from 'fastify';
import type { GraphService } from '../../graph-service';
import type { ExportFilter } from '../../export/graph-selection';
import { openExportStream, type ExportFormat } from '../../export/export-stream';
import { exportParams, exportQuery } from '../api.schemas';

const CONTENT: Record<ExportFormat, string> = {
  graphml: 'application/graphml+xml; charset=utf-8',
  gexf: 'application/gexf+xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

export function registerExportRoutes(app: FastifyInstance, service: GraphService): void {
  app.get<{ Params: { format: ExportFormat }; Querystring: ExportFilter }>(
    '/export/:format',
    {
      schema: {
        tags: ['export'],
        summary: 'The graph (or a storyline, a community, the first N nodes) as GraphML, GEXF (Gephi) or graphology JSON',
        params: exportParams,
        querystring: exportQuery,
      },
    },
    async (request, reply) => {
      const { format } = request.params;
      // Served from one state of the graph: a sync's next merge waits until the last chunk.
      const stream = await openExportStream(service.model, format, request.query);
      reply.header('content-type', CONTENT[format]);
      reply.header('content-disposition', `attachment; filename="stories.${format === 'json' ? 'json' : format}"`);
      return reply.send(stream);
    },
  );
}
