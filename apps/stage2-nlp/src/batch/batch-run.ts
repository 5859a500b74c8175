import { linkDocuments, type KnownCorpus, type LinkError, type ProcessedDocument, type Storyline } from '@storytelling/nlp';
import { withAddedEvents } from './added-events';
import type { AnalysisOutcome } from '../analysis/analysis.types';
import type { RejectionCode } from '../config/stage2.errors';
import type { AnalysisItem, BatchInput, DocumentWarning, RejectedDocument } from '../input/batch-input.types';
import { guessDocumentId, prepareDocument } from '../input/document-preparer';
import type { LoadLinked } from '../stores/multi-backend-writer';
import { linkSequenceOf } from '../stores/link-state-repository';
import { addCounts, emptyCounts, type BatchContext, type LinkedSave, type SavePayload, type StoreRefusal, type StoreWriteCounts } from '../stores/store.types';
import type { BatchProcessorDeps, BatchProgress, ProcessBatchOptions } from './batch-processor';
import { timed, type BatchSummary } from './batch-summary';

/** Documents per pool task: small enough to spread a chunk over the threads, big enough that messaging stays negligible. */
const DOCUMENTS_PER_TASK = 16;

interface Chunk {
  items: AnalysisItem[];
  outcomes: Promise<AnalysisOutcome[]>;
}

/** One batch while it runs: its chunks, the ids it has seen, its counts. */
export class BatchRun {
  private readonly seenIds = new Map<string, number>();
  private readonly rawByIndex = new Map<number, string>();
  private readonly storylineIds = new Set<string>();
  private readonly progress: BatchProgress = { total: 0, analysed: 0, saved: 0 };
  /** The registry writes of this batch, chained in order (they never reject: hooks never throw). */
  private registryWrites: Promise<void> = Promise.resolve();
  /** Aborted once the batch is over: its chunks still waiting for a thread are dropped, and report no progress. */
  private readonly ended = new AbortController();

  constructor(
    private readonly deps: BatchProcessorDeps,
    private readonly context: BatchContext,
    private readonly summary: BatchSummary,
    private readonly options: ProcessBatchOptions,
  ) {}

  private get timings(): BatchSummary['timings_ms'] {
    return this.summary.timings_ms;
  }

  async execute(documents: BatchInput[]): Promise<void> {
    const items: AnalysisItem[] = [];
    const rejects: RejectedDocument[] = [];
    documents.forEach((input, index) => {
      const prepared = prepareDocument(input, index, this.options.lineNumbers?.[index] ?? null, this.deps.maxDocumentBytes);
      if ('rejection' in prepared) rejects.push(prepared.rejection);
      else {
        items.push(prepared.item);
        this.rawByIndex.set(index, prepared.raw);
      }
    });
    this.progress.total = this.summary.received;
    this.progress.analysed = rejects.length;

    const chunks = this.startChunks(items);
    try {
      await this.runChunks(chunks, rejects);
    } finally {
      // A failed batch leaves chunks queued behind it: they would hold the threads from the next batch.
      this.ended.abort();
      await this.registryWrites;
    }
  }

  /**
   * Progressive save: each chunk's documents (and rejects) go to every store and the registry as
   * soon as they are analysed, then the batch is linked in one piece. Linking chunk by chunk would
   * cut the batch's stories at chunk edges: on the ECB+ validation topics in chunks of 64 in shuffled
   * order, storyline ARI 0.76 instead of 0.94, since storylines already known never merge.
   */
  private async runChunks(chunks: Chunk[], rejects: RejectedDocument[]): Promise<void> {
    if (this.options.progressiveSave) {
      const saved: ProcessedDocument[] = [];
      let pending = rejects;
      for (const chunk of chunks) {
        const analysed = await this.claim(this.accept(await timed(this.timings, 'analysis_wait', () => chunk.outcomes)));
        await this.saveUnlinked({ documents: analysed.documents, linkages: [], storylines: [], rejects: pending.concat(analysed.rejects) });
        for (const document of analysed.documents) saved.push(document);
        pending = [];
      }
      if (pending.length) await this.saveUnlinked({ documents: [], linkages: [], storylines: [], rejects: pending });
      await this.link(saved, [], { documentsSaved: true });
    } else {
      const all = this.accept((await timed(this.timings, 'analysis_wait', () => Promise.all(chunks.map((c) => c.outcomes)))).flat());
      await this.link(all.documents, rejects.concat(all.rejects));
    }
  }

  /**
   * Sends every chunk to the pool at once; the pool queues what it cannot run yet, in order. A chunk goes
   * as several small tasks, so every thread works on the first chunk (the first save starts
   * sooner) and the threads finish the batch together (no thread idle while one ends a big task).
   */
  private startChunks(items: AnalysisItem[]): Chunk[] {
    const chunks: Chunk[] = [];
    for (let i = 0; i < items.length; i += this.deps.chunkSize) {
      const slice = items.slice(i, i + this.deps.chunkSize);
      const tasks: Array<Promise<AnalysisOutcome[]>> = [];
      for (let t = 0; t < slice.length; t += DOCUMENTS_PER_TASK) tasks.push(this.deps.pool.analyze(slice.slice(t, t + DOCUMENTS_PER_TASK), this.ended.signal));
      const outcomes = Promise.all(tasks).then(async (results) => {
        const result = results.flat();
        this.progress.analysed += result.length;
        if (!this.ended.signal.aborted) await this.options.onProgress?.({ ...this.progress });
        return result;
      });
      // Progressive mode awaits chunks in order; keep a later chunk's failure from going unhandled meanwhile.
      outcomes.catch(() => undefined);
      chunks.push({ items: slice, outcomes });
    }
    return chunks;
  }

  /** Splits analysis outcomes into documents and rejects, rejecting repeated ids (the first one wins). */
  private accept(outcomes: AnalysisOutcome[]): { documents: ProcessedDocument[]; rejects: RejectedDocument[] } {
    const documents: ProcessedDocument[] = [];
    const rejects: RejectedDocument[] = [];
    for (const outcome of [...outcomes].sort((a, b) => a.index - b.index)) {
      const raw = this.rawByIndex.get(outcome.index) ?? '';
      const line = this.options.lineNumbers?.[outcome.index] ?? null;
      if ('rejection' in outcome) {
        const documentId = outcome.rejection.document_id ?? guessDocumentId(raw);
        rejects.push({ index: outcome.index, line, ...outcome.rejection, document_id: documentId, raw, raw_encoding: 'utf8' });
        continue;
      }
      const id = outcome.document.document_id;
      const first = this.seenIds.get(id);
      if (first !== undefined) {
        rejects.push(this.rejection(outcome.index, id, 'DUPLICATE_ID', `document_id "${id}" already appears in this batch (document ${first + 1})`, 'document_id'));
        continue;
      }
      this.seenIds.set(id, outcome.index);
      documents.push(outcome.document);
    }
    return { documents, rejects };
  }

  /**
   * Claims the documents of a progressive chunk before any store writes them (their rows are
   * written and committed at once): one stored before in another version is refused
   * (DOCUMENT_CHANGED), and no other batch can store another version of the others meanwhile.
   * Sent again unchanged (a retried batch), a document is linked again as it was; changed, it
   * would replace its stored events while the storylines and linkages made from them stayed.
   */
  private async claim(accepted: { documents: ProcessedDocument[]; rejects: RejectedDocument[] }): Promise<typeof accepted> {
    const refused = await this.deps.writer.claimDocuments(this.context, accepted.documents);
    return this.withoutRefused(accepted.documents, accepted.rejects, refused);
  }

  /** The documents not refused, and the refused ones added to the rejects (DOCUMENT_CHANGED). */
  private withoutRefused(
    all: ProcessedDocument[],
    rejects: RejectedDocument[],
    refused: Map<string, string>,
  ): { documents: ProcessedDocument[]; rejects: RejectedDocument[] } {
    if (!refused.size) return { documents: all, rejects };
    const documents: ProcessedDocument[] = [];
    const more = [...rejects];
    for (const document of all) {
      const jobId = refused.get(document.document_id);
      if (jobId === undefined) documents.push(document);
      else more.push(this.changedRejection(document.document_id, jobId));
    }
    return { documents, rejects: more };
  }

  private changedRejection(documentId: string, jobId: string): RejectedDocument {
    const reason =
      `document_id "${documentId}" was processed before (job ${jobId}) with another title, text or publication date; ` +
      'a processed document is not changed in place (its events are linked into storylines): send the new version under a new document_id';
    return this.rejection(this.seenIds.get(documentId) ?? -1, documentId, 'DOCUMENT_CHANGED', reason, 'document_id');
  }

  /** A rejected document of the batch, its line and raw input found by its position. */
  private rejection(index: number, documentId: string | null, code: RejectionCode, reason: string, field: string | null): RejectedDocument {
    return {
      index,
      line: this.options.lineNumbers?.[index] ?? null,
      document_id: documentId,
      code,
      reason,
      field,
      raw: this.rawByIndex.get(index) ?? '',
      raw_encoding: 'utf8',
    };
  }

  /** Saves analysed documents before linking (progressive save): every store, and the registry beside them. */
  private async saveUnlinked(payload: SavePayload): Promise<void> {
    if (!payload.documents.length && !payload.rejects.length) return;
    this.queueRegistryWrite(payload);
    const counts = await timed(this.timings, 'stores', () => this.deps.writer.save(this.context, payload));
    this.addStoreCounts(counts);
    this.count(payload.documents, 0, [], payload.rejects);
    this.progress.saved += payload.documents.length + payload.rejects.length;
    await this.options.onProgress?.({ ...this.progress });
  }

  /**
   * Links documents against everything known and saves the result everywhere (with
   * `documentsSaved`, only the linkages, storylines and linker memory: the documents went before).
   * The dual write of the documents to the registry starts as soon as the linker has made the
   * payload, beside the stores' writes; that of the linkages and storylines once the linker's
   * memory is committed.
   */
  private async link(documents: ProcessedDocument[], rejects: RejectedDocument[], { documentsSaved = false } = {}): Promise<void> {
    if (documentsSaved && !documents.length) return;
    const linkBefore = this.timings.link;
    let linkSequence: number | undefined;
    const { counts, payload } = await timed(this.timings, 'stores', () =>
      this.deps.writer.saveLinked(
        this.context,
        async (known, loadLinked, claim) => {
          // Claimed under the linker's lock, in the save's transaction: of two batches bringing one
          // new document in two versions, the second waits for the first's commit, then refuses it.
          const claimed = documentsSaved ? { documents, rejects } : this.withoutRefused(documents, rejects, await claim(documents));
          const linked = await this.linkAgainst(known, loadLinked, claimed.documents, claimed.rejects);
          if (documentsSaved) linked.payload = this.withoutSavedDocuments(linked.payload, documents);
          linkSequence = linkSequenceOf(known, linked.state !== undefined);
          const resaved = linked.payload.resaved?.documents ?? [];
          this.queueRegistryWrite({ ...linked.payload, documents: [...linked.payload.documents, ...resaved], linkages: [], storylines: [] });
          return linked;
        },
        // The storylines go to the registry with their version (registry writes of batches land
        // in any order) only once committed: a save rolled back (another store failed) leaves its
        // sequence to the next batch's save, whose storylines the same version must not lose to it.
        (committed) => this.queueRegistryWrite({ documents: [], rejects: [], linkages: committed.linkages, storylines: committed.storylines }, linkSequence),
      ),
    );
    // Linking runs inside the save's transaction: count it once, as linking.
    this.timings.stores -= this.timings.link - linkBefore;
    this.addStoreCounts(counts);
    this.count(payload.documents, payload.linkages.length, [...payload.storylines, ...(payload.storylinesOfOthers ?? [])], payload.rejects);
    this.summary.events += payload.resaved?.addedEvents ?? 0;
    if (!this.options.progressiveSave) await this.registryWrites;
    this.progress.saved += payload.documents.length + (documentsSaved ? 0 : payload.rejects.length);
    await this.options.onProgress?.({ ...this.progress });
  }

  /**
   * The linked payload of documents saved before: no documents, but those linking added events
   * to, which are saved again (`resaved`). One the linker refused is counted rejected instead of
   * processed (it stays in the stores, which took it before linking).
   */
  private withoutSavedDocuments(payload: SavePayload, saved: ProcessedDocument[]): SavePayload {
    const savedById = new Map(saved.map((document) => [document.document_id, document]));
    const linked = new Set(payload.documents.map((document) => document.document_id));
    for (const document of saved) {
      if (linked.has(document.document_id)) continue;
      this.summary.processed -= 1;
      this.summary.events -= document.events.length;
    }
    // Linking only adds events: a document with more than it was saved with gained some.
    const gained = (document: ProcessedDocument) => document.events.length - (savedById.get(document.document_id)?.events.length ?? document.events.length);
    const resaved = payload.documents.filter((document) => gained(document) > 0);
    const addedEvents = resaved.reduce((n, document) => n + gained(document), 0);
    return { ...payload, documents: [], ...(resaved.length ? { resaved: { documents: resaved, addedEvents } } : {}) };
  }

  private addStoreCounts(counts: Record<string, StoreWriteCounts>): void {
    for (const [store, n] of Object.entries(counts)) {
      this.summary.stores[store] = addCounts(this.summary.stores[store] ?? emptyCounts(), n);
      for (const refusal of n.refused ?? []) this.summary.warnings.push(this.notIndexed(store, refusal));
    }
  }

  /** A document one store refused while the others saved it: a warning naming the store and its reason. */
  private notIndexed(store: string, refusal: StoreRefusal): DocumentWarning {
    const index = this.seenIds.get(refusal.document_id) ?? -1;
    return {
      index,
      line: this.options.lineNumbers?.[index] ?? null,
      document_id: refusal.document_id,
      code: 'NOT_INDEXED',
      fields: [],
      reason: `not in ${store}: ${refusal.reason}; the other stores and the registry hold it`,
    };
  }

  /**
   * Chains the registry write of a payload. A payload of documents runs while the stores write
   * them (the registry needs no other input, and on two cores the two writes overlap instead of
   * adding up) and, with progressive save, while the next chunks are analysed; one of linkages and
   * storylines is queued once the linking is committed (see `link`); the writes stay in order and
   * the batch waits for all of them before its status. Should the stores then fail, the job's
   * status in the registry says failed, and readers such as Stage 5 take only completed jobs; a
   * retry rewrites the same records (every registry write is an upsert).
   */
  private queueRegistryWrite(payload: SavePayload, linkSequence?: number): void {
    const write = () =>
      timed(this.timings, 'registry', () => this.deps.registry.writeSaved(this.summary, payload.documents, payload.linkages, payload.storylines, linkSequence));
    this.registryWrites = this.registryWrites.then(write);
  }

  /**
   * Runs the linker. A document it had linked before is saved again with the linkages and
   * storylines this job stored for it (a retried batch rewrites its own records); those of other
   * jobs stay theirs: a later batch's linkages to it or a storyline that batch grew since (it
   * wrote them everywhere), and, for a document sent again unchanged under a new job, every one
   * (they are the first job's; the new job reports and writes none of them). One the linker could
   * not link is rejected with the reason.
   */
  private async linkAgainst(
    known: KnownCorpus | undefined,
    loadLinked: LoadLinked,
    documents: ProcessedDocument[],
    rejects: RejectedDocument[],
  ): Promise<LinkedSave> {
    if (!documents.length) return { payload: { documents, linkages: [], storylines: [], rejects }, state: undefined };
    const linkStarted = performance.now();
    const result = linkDocuments(documents, known);
    this.timings.link += performance.now() - linkStarted;
    // The mentions linking found beside the analysis's are stored with their documents (and a retry finds them again).
    documents = withAddedEvents(documents, result.added_events);
    // Linked before (a retried batch, or sent again unchanged): claimed, so stored in this version.
    // Only what this job stored is re-sent: another job's record, written again as this job's, would
    // move to this job (and, should this one fail for good, out of Stage 5's reach: it reads completed jobs).
    const relinked = new Set(result.errors.filter((e) => e.code === 'LINK_DOCUMENT_DUPLICATE').map((e) => e.index));
    const failed = result.errors.filter((e) => !relinked.has(e.index));
    const failedIndexes = new Set(failed.map((e) => e.index));
    const before = await loadLinked(documents.filter((_, i) => relinked.has(i)).map((d) => d.document_id));
    const storylines = dedupeBy([...before.storylines, ...result.storylines], (s) => s.storyline_id);
    const own = new Set(storylines.map((s) => s.storyline_id));
    return {
      payload: {
        documents: failedIndexes.size ? documents.filter((_, i) => !failedIndexes.has(i)) : documents,
        linkages: dedupeBy([...before.linkages, ...result.linkages], (l) => l.linkage_id),
        storylines,
        rejects: rejects.concat(failed.map((e) => this.linkRejection(e, documents[e.index]))),
        // Where the documents linked before are, in storylines other jobs wrote: listed, not written again.
        storylinesOfOthers: before.storylinesOfOthers.filter((s) => !own.has(s.storyline_id)),
      },
      state: result.state,
    };
  }

  private linkRejection(error: LinkError, document: ProcessedDocument | undefined): RejectedDocument {
    const index = document ? (this.seenIds.get(document.document_id) ?? -1) : -1;
    return this.rejection(index, error.document_id ?? document?.document_id ?? null, 'LINK_FAILED', `${error.code}: ${error.message}`, null);
  }

  private count(documents: ProcessedDocument[], linkages: number, storylines: Storyline[], rejects: RejectedDocument[]): void {
    this.summary.processed += documents.length;
    this.summary.events += documents.reduce((n, d) => n + d.events.length, 0);
    this.summary.linkages += linkages;
    storylines.forEach((s) => this.storylineIds.add(s.storyline_id));
    this.summary.storylines = this.storylineIds.size;
    this.summary.rejected += rejects.length;
    this.summary.errors.push(...rejects.map(({ raw: _raw, raw_encoding: _encoding, ...error }) => error));
  }
}

function dedupeBy<T>(items: T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}
