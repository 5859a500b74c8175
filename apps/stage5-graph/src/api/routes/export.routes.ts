import type { FastifyInstance } from 'fastify';
import type { GraphService } from '../../graph-service';
import { checkExportFilter, type ExportFilter } from '../../export/graph-selection';
import { openExportStream, type ExportFormat } from '../../export/export-stream';
import { exportParams, exportQuery } from '../api.schemas';

const CONTENT: Record<ExportFormat, string> = {
  graphml: 'application/graphml+xml; charset=utf-8',
  gexf: 'application/gexf+xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

export function registerExportRoutes(app: FastifyInstance, service: GraphService): void {
  const attachment = (format: ExportFormat) => `attachment; filename="stories.${format === 'json' ? 'json' : format}"`;
  app.get<{ Params: { format: ExportFormat }; Querystring: ExportFilter }>(
    '/export/:format',
    {
      // fastify's own HEAD route would write the whole export and drop it, holding the graph meanwhile.
      exposeHeadRoute: false,
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
      reply.header('content-disposition', attachment(format));
      return reply.send(stream);
    },
  );
  app.head<{ Params: { format: ExportFormat }; Querystring: ExportFilter }>(
    '/export/:format',
    { schema: { tags: ['export'], summary: "The export's status and headers, without writing it", params: exportParams, querystring: exportQuery } },
    async (request, reply) => {
      checkExportFilter(service.model, request.query);
      reply.header('content-type', CONTENT[request.params.format]);
      reply.header('content-disposition', attachment(request.params.format));
      return reply.send();
    },
  );
}
