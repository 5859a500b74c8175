import type { KnownCorpus, ProcessedDocument } from '@storytelling/nlp';
import { errorMessage, type Logger } from '@storytelling/common';
import { StoreWriteError } from '../config/stage2.errors';
import type { BatchContext, BatchOutcome, DocumentStore, LinkedBefore, LinkedSave, LinkStateStore, SavePayload, StoreWriteCounts } from './store.types';

export type StoreResults = Record<string, StoreWriteCounts>;

/** Reads what the batch's job already stored of documents linked before (the linkages and storylines still its own). */
export type LoadLinked = (documentIds: string[]) => Promise<LinkedBefore>;

/** Claims documents for the batch (see `LinkStateStore.claimDocuments`): those refused, with the job that stored each. */
export type ClaimDocuments = (documents: readonly ProcessedDocument[]) => Promise<Map<string, string>>;

/**
 * The design's MultiBackendWriter: one writer over every enabled store. A save goes to all of
 * them at once; when any fails, the others still complete, the linker's memory is not advanced,
 * and the save throws naming the store, so the batch fails and its retry (idempotent
 * everywhere) completes the job. A linked save reaches the stores marked `afterLinkCommit`
 * (Elasticsearch) only once the linker's memory is committed.
 */
export class MultiBackendWriter {
  /**
   * @param stores every enabled store
   * @param linkStore the store among them that keeps the linker's memory (null: link against nothing)
   */
  constructor(
    readonly stores: DocumentStore[],
    private readonly linkStore: LinkStateStore | null,
    private readonly logger: Logger,
  ) {}

  get storeNames(): string[] {
    return this.stores.map((s) => s.name);
  }

  begin(context: BatchContext): Promise<void> {
    return this.onEveryStore('begin', (store) => store.begin(context)).then(() => undefined);
  }

  /**
   * Links and saves as one step: the linker's memory is locked and read, `link` runs on it (and
   * may claim its documents in the same transaction), then its payload goes to every store and
   * the new memory is kept, all in one transaction. `onCommit` is told the payload once the
   * transaction has committed (before any store marked `afterLinkCommit` gets it). Stores marked
   * `afterLinkCommit` get the payload after the commit; should one fail then, the save throws all
   * the same: the retry finds its documents linked and sends the linkages and storylines it stored again.
   */
  async saveLinked(
    context: BatchContext,
    link: (known: KnownCorpus | undefined, loadLinked: LoadLinked, claim: ClaimDocuments) => Promise<LinkedSave>,
    onCommit?: (payload: SavePayload) => void,
  ): Promise<{ counts: StoreResults; payload: SavePayload }> {
    const linkStore = this.linkStore;
    if (!linkStore) {
      const linked = await link(undefined, async () => ({ linkages: [], storylines: [], storylinesOfOthers: [] }), async () => new Map());
      const counts = await this.save(context, linked.payload);
      onCommit?.(linked.payload);
      return { counts, payload: linked.payload };
    }
    // A search index cannot roll back: given an attempt that then fails elsewhere, it would keep
    // storylines that the retry, linking against batches committed meanwhile, may not make again.
    const later = this.stores.filter((store) => store.afterLinkCommit && store !== linkStore);
    const { counts: committed, payload } = await linkStore.transaction(async (tx) => {
      const linked = await link(
        await linkStore.lockLinkState(tx),
        (ids) => linkStore.loadLinked(tx, context.jobId, ids),
        (documents) => linkStore.claimDocuments(context, documents, tx),
      );
      const counts = await this.onStores(this.stores.filter((store) => !later.includes(store)), 'save', (store) =>
        store === linkStore ? linkStore.saveInTransaction(tx, context, linked) : store.save(context, linked.payload),
      );
      return { counts, payload: linked.payload };
    });
    onCommit?.(payload);
    const afterCommit = later.length ? await this.onStores(later, 'save', (store) => store.save(context, payload)) : {};
    // In the stores' order, as every other save reports them.
    const counts = Object.fromEntries(
      this.stores.map((store) => [store.name, committed[store.name] ?? afterCommit[store.name]] as const).filter((entry): entry is [string, StoreWriteCounts] => !!entry[1]),
    );
    this.logger.debug({ batchId: context.batchId, counts }, 'saved to every store');
    return { counts, payload };
  }

  /**
   * Claims documents for the batch, at once (committed): those stored before in another version
   * (title, text or publication date) are refused and returned, with the job that stored each.
   * Such a document cannot be saved again: its stored events are linked into storylines, which
   * would keep pointing at events it no longer has. The others' rows are written, so no other
   * batch can store another version of them meanwhile.
   */
  async claimDocuments(context: BatchContext, documents: readonly ProcessedDocument[]): Promise<Map<string, string>> {
    if (!this.linkStore || !documents.length) return new Map();
    return this.linkStore.claimDocuments(context, documents);
  }

  /** Saves an unlinked payload (e.g. only rejects) to every store. */
  async save(context: BatchContext, payload: SavePayload): Promise<StoreResults> {
    return this.onEveryStore('save', (store) => store.save(context, payload));
  }

  /**
   * Ends the batch on every store. Completed, a store that fails to end it fails the save (its
   * output is not final); failed, that is only logged, the batch's own error stands.
   */
  async end(context: BatchContext, outcome: BatchOutcome): Promise<void> {
    if (outcome.completed) {
      await this.onEveryStore('end', (store) => store.end(context, outcome));
      return;
    }
    const settled = await Promise.allSettled(this.stores.map((store) => store.end(context, outcome)));
    settled.forEach((result, i) => {
      if (result.status === 'rejected') {
        this.logger.warn({ store: this.stores[i]?.name, batchId: context.batchId, jobId: context.jobId, err: errorMessage(result.reason) }, 'store could not end the failed batch');
      }
    });
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.stores.map((store) => store.close()));
  }

  private onEveryStore<T>(step: string, run: (store: DocumentStore) => Promise<T>): Promise<Record<string, T>> {
    return this.onStores(this.stores, step, run);
  }

  private async onStores<T>(stores: DocumentStore[], step: string, run: (store: DocumentStore) => Promise<T>): Promise<Record<string, T>> {
    const settled = await Promise.allSettled(stores.map(run));
    const failed = settled
      .map((result, i) => ({ result, store: stores[i]?.name ?? '?' }))
      .filter((entry): entry is { result: PromiseRejectedResult; store: string } => entry.result.status === 'rejected');
    if (failed.length) {
      const reasons = failed.map((f) => `${f.store}: ${errorMessage(f.result.reason)}`);
      throw new StoreWriteError(`${step} failed on ${reasons.join('; ')}`, { stores: failed.map((f) => f.store) }, failed[0]?.result.reason);
    }
    return Object.fromEntries(
      settled.map((result, i) => [stores[i]?.name ?? String(i), (result as PromiseFulfilledResult<T>).value]),
    );
  }
}
