import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { GraphService } from '../../graph-service';
import { selectGraph, type ExportFilter } from '../../export/graph-selection';
import { writeGexf } from '../../export/gexf-writer';
import { writeGraphml } from '../../export/graphml-writer';
import { writeGraphJson } from '../../export/json-writer';
import { exportParams, exportQuery } from '../api.schemas';

type Format = 'graphml' | 'gexf' | 'json';

const CONTENT: Record<Format, string> = {
  graphml: 'application/graphml+xml; charset=utf-8',
  gexf: 'application/gexf+xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

export function registerExportRoutes(app: FastifyInstance, service: GraphService): void {
  app.get<{ Params: { format: Format }; Querystring: ExportFilter }>(
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
      const selection = selectGraph(service.model, request.query);
      const chunks = format === 'graphml' ? writeGraphml(selection) : format === 'gexf' ? writeGexf(selection) : writeGraphJson(selection);
      reply.header('content-type', CONTENT[format]);
      reply.header('content-disposition', `attachment; filename="stories.${format === 'json' ? 'json' : format}"`);
      return reply.send(Readable.from(chunks));
    },
  );
}
