import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { errorMessage } from '@storytelling/common';
import type { GraphService } from '../../graph-service';
import { GraphStoreError } from '../../stage5.errors';
import { jobParams } from '../api.schemas';

export function registerGraphRoutes(app: FastifyInstance, service: GraphService): void {
  app.get('/graph/stats', { schema: { tags: ['graph'], summary: 'Node and edge counts by kind, communities, event types' } }, async (request) => {
    const stats = service.model.stats();
    // Only the job count and the watermark are read from the database: when it is down, the
    // served graph's figures are still answered, with those two null (/healthz says why).
    const stored = await Promise.all([service.store.countProcessedJobs(), service.store.loadState()]).catch((error: unknown) => {
      if (!(error instanceof GraphStoreError)) throw error;
      request.log.warn({ err: error }, "graph stats without the job count: Stage 5's database failed");
      return null;
    });
    return { ...stats, jobs: stored?.[0] ?? null, watermark: stored?.[1].watermark ?? null };
  });

  app.post('/graph/sync', { schema: { tags: ['operations'], summary: 'Merge the completed Stage 2 jobs not merged yet, now' } }, async () => {
    const report = await service.sync();
    return { ...report, persisted: report.persisted };
  });

  app.get<{ Params: { jobId: string } }>(
    '/jobs/:jobId',
    { schema: { tags: ['graph'], summary: 'Whether a Stage 2 job is in the graph, and if not, why', params: jobParams } },
    async (request, reply) => {
      // The format takes any case and a urn:uuid: prefix; job ids are stored in the canonical lower case.
      const jobId = request.params.jobId.toLowerCase().replace(/^urn:uuid:/, '');
      const processed = await service.store.getProcessedJob(jobId);
      if (processed) return { jobId, inGraph: true, ...processed };
      const reason = await whyNotInGraph(service, jobId, request.log);
      return reply.status(404).send({ statusCode: 404, error: 'Not Found', code: 'STAGE5_JOB_NOT_IN_GRAPH', jobId, inGraph: false, message: reason });
    },
  );
}

async function whyNotInGraph(service: GraphService, jobId: string, log: FastifyBaseLogger): Promise<string> {
  if (!service.registry.enabled) return `Job ${jobId} is not in the graph: the metadata registry is disabled for Stage 5`;
  try {
    const job = await service.registry.reader.getJob(jobId);
    if (!job) return `Job ${jobId} is not in the graph: the metadata registry has no such job (registry disabled or rollout excluded it when Stage 2 ran?)`;
    if (job.stage !== 2) return `Job ${jobId} is not in the graph: it is a stage ${job.stage} job, Stage 5 reads stage 2 jobs`;
    if (job.status !== 'completed') return `Job ${jobId} is not in the graph: its status in the registry is "${job.status}"`;
    return `Job ${jobId} is completed in the registry but not merged yet (next sync)`;
  } catch (error) {
    // The registry's error names its hosts and queries: logged, not answered.
    log.warn({ err: errorMessage(error), jobId }, 'the registry could not be asked about a job');
    return `Job ${jobId} is not in the graph; the registry could not be asked why (it did not answer)`;
  }
}
