import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { GraphService } from '../../graph-service';
import { GraphExportInterruptedError } from '../../stage5.errors';
import { checkExportFilter, type ExportFilter } from '../../export/graph-selection';
import { openExportStream, type ExportFormat } from '../../export/export-stream';
import { exportParams, exportQuery } from '../api.schemas';

const CONTENT: Record<ExportFormat, string> = {
  graphml: 'application/graphml+xml; charset=utf-8',
  gexf: 'application/gexf+xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

export function registerExportRoutes(app: FastifyInstance, service: GraphService, options: { closeGraceMs: number }): void {
  const attachment = (format: ExportFormat) => `attachment; filename="stories.${format === 'json' ? 'json' : format}"`;
  // The server's close waits for every open connection, and an export's lasts as long as its client
  // takes (one that stalls, for ever: no sync waits for it at shutdown to revoke its lease). On
  // close, open exports get a short grace to end, then are stopped: a broken download.
  const open = new Set<Readable>();
  let closeStarted = false;
  let stopping = false;
  let grace: NodeJS.Timeout | undefined;
  const closing = () => new GraphExportInterruptedError('Stage 5 is closing: the export was stopped', { reason: 'closing' });
  app.addHook('preClose', async () => {
    closeStarted = true;
    grace = setTimeout(() => {
      stopping = true;
      for (const stream of open) stream.destroy(closing());
    }, options.closeGraceMs);
  });
  app.addHook('onClose', async () => clearTimeout(grace));
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
      // Waited for the graph (behind a sync) past the grace: the server is going.
      if (stopping) {
        stream.destroy();
        throw closing();
      }
      open.add(stream);
      stream.once('close', () => {
        open.delete(stream);
        // Node's close ends only the connections idle when it began: a keep-alive connection whose
        // export finishes later would hold it until the client lets go (minutes, for a browser).
        if (closeStarted) {
          // inject() has no real socket (one without `end`): nothing to end there.
          const socket = request.raw.socket as Partial<Socket> | undefined;
          const endConnection = () => {
            if (typeof socket?.end === 'function') socket.end();
          };
          if (reply.raw.writableFinished) endConnection();
          else reply.raw.once('finish', endConnection);
        }
      });
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
