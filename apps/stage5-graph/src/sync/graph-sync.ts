import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { errorMessage, type Logger } from '@storytelling/common';
import { RegistryDisabledError, type JobRecord, type RegistryReader } from '@storytelling/metadata-registry';
import { emptyChanges, mergeCompactBundle } from '../graph/graph-builder';
import { computeEnrichment, writeEnrichment } from '../graph/graph-enricher';
import { runInSlices, runToEnd } from '../graph/time-slices';
import type { WriterWaits } from '../graph/graph-lock';
import type { GraphModel } from '../graph/graph-model';
import type { GraphChanges, StoryGraph } from '../graph/graph.types';
import type { GraphStore, PersistReport, SyncState, Watermark } from '../persistence/graph-store';
import type { ProcessedJob } from '../persistence/graph-writer';
import type { Stage5Metrics } from '../stage5.metrics';
import { GraphSyncStandbyError, GraphSyncStoppedError, RegistryUnavailableError } from '../stage5.errors';
import { mainThreadBundles, type BundleSource } from './job-bundle-reader';
import { threadCpuSeconds } from './thread-cpu';
import { advanceWatermark, listingStart, nextListingCursor, pendingJobs } from './job-selection';
import { roomPlanner } from './room-planner';

export interface SyncOptions {
  readPageSize: number;
  maxJobsPerSync: number;
  watermarkOverlapMs: number;
  keyEntities: number;
  louvainResolution: number;
}

export interface SyncDeps {
  reader: RegistryReader;
  /** Where jobs are read from (default: `reader`, on this thread). */
  bundles?: BundleSource;
  store: GraphStore;
  model: GraphModel;
  options: SyncOptions;
  logger: Logger;
  metrics?: Stage5Metrics;
  /** Changes merged by an earlier sync whose persist failed: written with this one. */
  unsaved: GraphChanges;
  /**
   * Aborted when the service closes, or loses its sync lock: the sync stops at its next checkpoint
   * (between jobs, between slices of the enrichment, before the persist) with
   * {@link GraphSyncStoppedError} (or the GraphSyncStandbyError it was aborted with). Nothing of it
   * is persisted, so the watermark stays where it was and its jobs are merged again.
   */
  signal?: AbortSignal;
}

export interface SyncReport {
  jobs: string[];
  failedJobs: Array<{ jobId: string; error: string }>;
  changes: { nodes: number; edges: number; removedEdges: number; removedNodes: number };
  enriched: boolean;
  watermark: Watermark | null;
  persisted: PersistReport | null;
  /** read and merge overlap (one job is read ahead), so `ingest` is their wall-clock time together. */
  seconds: { list: number; read: number; merge: number; ingest: number; enrich: number; persist: number; total: number };
  /** CPU time of this process from the start of the sync to the persist (listing, reading, merging, enriching). */
  buildCpuSeconds: number;
  /** Of which this thread's (the merge and the enrichment, and the reading where it has no thread of its own): null where unknown. */
  buildThreadCpuSeconds: number | null;
  enrichmentSeconds?: { degree: number; pagerank: number; louvain: number; storylines: number };
}

const LIST_PAGE = 1_000;
/** The largest page a listing grows to when one millisecond holds more jobs than a page. */
const MAX_LIST_PAGE = 256_000;
/** Dropped edges' rows are compacted away once they are this share of all (re-processed documents drop and add edges). */
const DEAD_EDGE_SHARE = 0.25;
/** How long the enrichment runs before the event loop gets a turn (a few steps run whole: about 1 s at most on the bench graph). */
export const ENRICH_SLICE_MS = 50;
const now = () => performance.now();

/**
 * One incremental sync: the completed Stage 2 jobs after the watermark are read through the
 * registry's reader, merged into the graph, the graph is enriched, and the changes, the
 * enrichment and the new watermark are persisted in one transaction.
 */
export async function runGraphSync(deps: SyncDeps): Promise<SyncReport> {
  // Every mutation of this sync shares one bound on waiting for exports (maxReaderHoldMs in all):
  // counted per merge, exports let in between merges could hold each of them that long again.
  const waits: WriterWaits = { waitedMs: 0 };
  try {
    return await syncWith(deps, waits);
  } finally {
    deps.model.lock.endWrites(waits);
  }
}

async function syncWith(deps: SyncDeps, waits: WriterWaits): Promise<SyncReport> {
  const t0 = now();
  const cpu0 = process.cpuUsage();
  const threadCpu0 = threadCpuSeconds();
  const stopIfAsked = () => {
    if (!deps.signal?.aborted) return;
    throw deps.signal.reason instanceof GraphSyncStandbyError ? deps.signal.reason : new GraphSyncStoppedError();
  };
  const state = await deps.store.loadState();
  const jobs = await listPendingJobs(deps, state);
  stopIfAsked();
  const tList = now();
  const report: SyncReport = {
    jobs: [],
    failedJobs: [],
    changes: { nodes: 0, edges: 0, removedEdges: 0, removedNodes: 0 },
    enriched: false,
    watermark: state.watermark,
    persisted: null,
    seconds: { list: (tList - t0) / 1000, read: 0, merge: 0, ingest: 0, enrich: 0, persist: 0, total: 0 },
    buildCpuSeconds: 0,
    buildThreadCpuSeconds: null,
  };
  if (jobs.length === 0 && isEmpty(deps.unsaved)) {
    report.seconds.total = (now() - t0) / 1000;
    return report;
  }
  const changes = deps.unsaved;
  const processed: ProcessedJob[] = [];
  let watermark = state.watermark;
  // Reads one job ahead: the next job is read while this one merges.
  const bundles = deps.bundles ?? mainThreadBundles(deps.reader);
  const read = (job: JobRecord) => {
    const started = now();
    return bundles(job, deps.options.readPageSize).then(
      (bundle) => ({ bundle, seconds: (now() - started) / 1000 }),
      (error: unknown) => ({ error }),
    );
  };
  let enrichment: Awaited<ReturnType<typeof enrich>> | undefined;
  try {
    const tIngest = now();
    const room = roomPlanner(deps.model.graph, jobs, deps.logger);
    let next = jobs.length ? read(jobs[0]) : null;
    for (let i = 0; i < jobs.length && next; i++) {
      const job = jobs[i];
      const result = await next;
      next = null;
      stopIfAsked();
      if ('error' in result) {
        // Later jobs wait for this one, so the watermark never jumps over a job that was not read.
        report.failedJobs.push({ jobId: job.job_id, error: errorMessage(result.error) });
        deps.logger.error({ jobId: job.job_id, err: errorMessage(result.error) }, 'could not read job from the registry');
        break;
      }
      if (i + 1 < jobs.length) next = read(jobs[i + 1]);
      report.seconds.read += result.seconds;
      const t = now();
      // Under the lock: an export streaming meanwhile finishes on the graph it started with.
      await deps.model.lock.exclusive(() => mergeCompactBundle(deps.model.graph, result.bundle, changes), waits);
      report.seconds.merge += (now() - t) / 1000;
      processed.push({ job, counts: result.bundle.counts });
      room.merged(i, result.bundle.counts.events);
      deps.logger.debug({ jobId: job.job_id, graph: { nodes: deps.model.graph.order, edges: deps.model.graph.size } }, 'job merged');
      watermark = advanceWatermark(watermark, job);
      report.jobs.push(job.job_id);
      await yieldToEventLoop();
    }
    await next;
    report.seconds.ingest = (now() - tIngest) / 1000;
    deps.logger.info({ jobs: processed.length, seconds: { read: report.seconds.read, merge: report.seconds.merge } }, 'jobs merged');
    enrichment = isEmpty(changes) ? undefined : await enrich(deps, report, stopIfAsked, waits);
    stopIfAsked();
  } catch (error) {
    // Stopped after merges: the graph holds jobs neither enriched nor persisted (the next start
    // merges them again); its counts and indexes follow it while it serves until the process goes.
    const aborted = error instanceof GraphSyncStoppedError || error instanceof GraphSyncStandbyError;
    if (aborted && processed.length) await deps.model.lock.exclusive(() => deps.model.refreshIndexes(), waits);
    throw error;
  }
  const cpu = process.cpuUsage(cpu0);
  report.buildCpuSeconds = (cpu.user + cpu.system) / 1e6;
  const threadCpu = threadCpuSeconds();
  report.buildThreadCpuSeconds = threadCpu === null || threadCpu0 === null ? null : threadCpu - threadCpu0;
  // Merged and enriched: exports kept out for the rest of this sync get in (the persist only reads).
  deps.model.lock.endWrites(waits);
  deps.logger.info({ seconds: report.seconds.enrich, changes: { nodes: changes.nodes.size, edges: changes.edges.size } }, 'persisting');
  const t = now();
  report.persisted = await deps.store.persist({
    graph: deps.model.graph,
    changes,
    enrichment,
    previous: state,
    jobs: processed,
    watermark,
  });
  report.seconds.persist = (now() - t) / 1000;
  report.changes = { nodes: changes.nodes.size, edges: changes.edges.size, removedEdges: changes.removedEdges.size, removedNodes: changes.removedNodes.size };
  for (const set of [changes.nodes, changes.edges, changes.removedEdges, changes.removedNodes]) set.clear();
  // No edge number is held any more (the changes are written): the rows of dropped edges can go.
  if (deps.model.graph.deadEdgeShare > DEAD_EDGE_SHARE) await deps.model.lock.exclusive(() => deps.model.graph.compactEdges(), waits);
  report.watermark = watermark;
  report.seconds.total = (now() - t0) / 1000;
  observe(deps, report);
  return report;
}

async function enrich(deps: SyncDeps, report: SyncReport, stopIfAsked: () => void, waits: WriterWaits) {
  await yieldToEventLoop();
  stopIfAsked();
  const t = now();
  let enrichedAt = new Date();
  const { graph } = deps.model;
  const options = { keyEntities: deps.options.keyEntities, louvainResolution: deps.options.louvainResolution };
  // Computed in slices, the API answering between them (from the previous enrichment): nothing
  // else changes the graph meanwhile, as syncs run one at a time and a reload waits for them.
  const shape = graphShape(graph);
  const computed = await runInSlices(computeEnrichment(graph, options), ENRICH_SLICE_MS, stopIfAsked);
  const indexes = await runInSlices(deps.model.servingIndexes(computed.report.summaries, computed.ranking.pagerank), ENRICH_SLICE_MS, stopIfAsked);
  // Written under the lock, like a merge: an export never mixes ranks or communities of two enrichments.
  const result = await deps.model.lock.exclusive(() => {
    // Should the graph have changed after all, all is computed again, here, at once.
    const unchanged = sameShape(shape, graph);
    const enrichment = unchanged ? computed : runToEnd(computeEnrichment(graph, options));
    writeEnrichment(enrichment);
    enrichedAt = new Date();
    deps.model.applyEnrichment(enrichment.report, enrichedAt, unchanged ? indexes : undefined);
    return enrichment.report;
  }, waits);
  report.seconds.enrich = (now() - t) / 1000;
  report.enrichmentSeconds = result.seconds;
  report.enriched = true;
  return { summaries: result.summaries, communities: result.communities, modularity: result.modularity, enrichedAt };
}

/** What changes when a node or edge is added or dropped (numbers grow, counts move). */
const graphShape = (graph: StoryGraph) => ({ nodes: graph.nodeIdBound, edges: graph.edgeIdBound, order: graph.order, size: graph.size });

function sameShape(shape: ReturnType<typeof graphShape>, graph: StoryGraph): boolean {
  const now = graphShape(graph);
  return shape.nodes === now.nodes && shape.edges === now.edges && shape.order === now.order && shape.size === now.size;
}

/** Completed Stage 2 jobs not merged yet, in watermark order, at most maxJobsPerSync. */
async function listPendingJobs(deps: SyncDeps, state: SyncState): Promise<JobRecord[]> {
  const pending: JobRecord[] = [];
  let cursor = listingStart(state.watermark, deps.options.watermarkOverlapMs);
  const seen = new Set<string>();
  let limit = LIST_PAGE;
  for (;;) {
    const page = await deps.reader.listJobs({ stage: 2, status: 'completed', updatedAfter: cursor, limit }).catch((error: unknown) => {
      // A disabled registry says so itself (REGISTRY_DISABLED); anything else is one that did not answer.
      throw error instanceof RegistryDisabledError ? error : new RegistryUnavailableError(error);
    });
    const fresh = page.filter((job) => !seen.has(job.job_id));
    for (const job of fresh) seen.add(job.job_id);
    const processed = await deps.store.processedJobs(fresh.map((job) => job.job_id));
    pending.push(...pendingJobs(fresh, processed));
    if (page.length < limit || pending.length >= deps.options.maxJobsPerSync) break;
    if (fresh.length === 0) {
      // A full page of jobs seen already: more than a page share the millisecond the cursor stands
      // before (a bulk update, Redis' millisecond times). Stopping here stalled every later sync at
      // that millisecond: a larger page is read from the same cursor instead.
      if (limit >= MAX_LIST_PAGE) {
        deps.logger.error({ cursor, limit }, 'more completed jobs share one millisecond than a listing reads: later jobs wait');
        break;
      }
      limit = Math.min(limit * 2, MAX_LIST_PAGE);
      continue;
    }
    cursor = nextListingCursor(page);
  }
  return pending.slice(0, deps.options.maxJobsPerSync);
}

const isEmpty = (changes: GraphChanges): boolean =>
  changes.nodes.size === 0 && changes.edges.size === 0 && changes.removedEdges.size === 0 && changes.removedNodes.size === 0;

function observe(deps: SyncDeps, report: SyncReport): void {
  const m = deps.metrics;
  if (!m) return;
  m.syncJobs.inc(report.jobs.length);
  for (const phase of ['read', 'merge', 'enrich', 'persist'] as const) m.syncSeconds.observe({ phase }, report.seconds[phase]);
}

export { emptyChanges };
