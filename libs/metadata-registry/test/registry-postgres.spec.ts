import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Registry as MetricsRegistry } from 'prom-client';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from '@storytelling/test-utils';
import { createRegistry, inRollout, migrateRegistry, registryMigrationsFingerprint, type Registry } from '../src';
import { collect, makeBatch, testConfig } from './registry-fixtures';

const silent = pino({ level: 'silent' });

describe('registry on PostgreSQL', () => {
  let db: TestDatabase;
  let pg: Client;
  let dataDir: string;
  let registry: Registry;
  let metrics: MetricsRegistry;

  beforeAll(async () => {
    db = await createTestDatabase({ schema: 'registry', fingerprint: registryMigrationsFingerprint(), migrate: migrateRegistry });
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    dataDir = mkdtempSync(join(tmpdir(), 'registry-pg-'));
    metrics = new MetricsRegistry();
    registry = await createRegistry({
      config: testConfig(db.url, dataDir, { METADATA_ENABLE_REDIS_CACHE: 'false' }),
      logger: silent,
      metricsRegistry: metrics,
      replayIntervalMs: 0,
    });
  });

  afterAll(async () => {
    await registry?.close();
    await pg?.end();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const count = async (table: string, where = 'true', params: unknown[] = []) =>
    Number((await pg.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params)).rows[0].n);

  it('registers a job, writes a batch and finishes the job; the design queries run verbatim', async () => {
    const jobId = randomUUID();
    const registered = await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'batch_1', metadata: { documents_count: 3 } });
    expect(registered).toEqual({ outcome: 'written', counts: { job: 1 } });

    const batch = makeBatch(jobId, 3);
    const written = await registry.hooks.syncWriteDocumentsToRegistry(batch);
    expect(written.outcome).toBe('written');
    expect(written.counts).toEqual({
      document: 3,
      event: 6,
      entity: 2,
      document_entity: 3,
      event_entity: 6,
      linkage: 5,
      storyline: 1,
    });

    const done = await registry.hooks.updateJobStatusInRegistry({ jobId, status: 'completed', counts: { processed_count: 3 } });
    expect(done.outcome).toBe('written');

    const jobs = await pg.query(
      'SELECT job_id, stage, status, created_at FROM job_registry WHERE stage = 2 ORDER BY created_at DESC LIMIT 5;',
    );
    expect(jobs.rows).toEqual([expect.objectContaining({ job_id: jobId, stage: 2, status: 'completed' })]);
    const events = await pg.query('SELECT event_id, event_type, event_date, description FROM event_metadata LIMIT 5;');
    expect(events.rows).toHaveLength(5);
    const docs = await pg.query('SELECT document_id, title, author, publication_date FROM document_metadata LIMIT 5;');
    expect(docs.rows.map((r) => r.document_id).sort()).toEqual(['a-doc-0', 'a-doc-1', 'a-doc-2']);

    const job = await registry.reader.getJob(jobId);
    expect(job).toMatchObject({ job_id: jobId, batch_id: 'batch_1', status: 'completed', documents_count: 3, processed_count: 3 });
    expect(job?.completed_at).toBeInstanceOf(Date);
  });

  it('is idempotent: writing the same batch twice updates, never duplicates', async () => {
    const jobId = randomUUID();
    await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'b' });
    const batch = makeBatch(jobId, 4, 'idem');
    await registry.hooks.syncWriteDocumentsToRegistry(batch);
    const again = await registry.hooks.syncWriteDocumentsToRegistry({
      ...batch,
      documents: batch.documents!.map((d) => ({ ...d, title: `${d.title} (v2)` })),
    });
    expect(again.outcome).toBe('written');
    expect(await count('document_metadata', 'job_id = $1', [jobId])).toBe(4);
    expect(await count('event_metadata', 'job_id = $1', [jobId])).toBe(8);
    expect(await count('storyline_events', "storyline_id = 'idem-story-0'")).toBe(8);
    const titles = await pg.query('SELECT title FROM document_metadata WHERE job_id = $1', [jobId]);
    expect(titles.rows.every((r) => r.title.endsWith('(v2)'))).toBe(true);
  });

  it('rejects a bad record with a message naming it and its field, and writes the rest', async () => {
    const jobId = randomUUID();
    const batch = makeBatch(jobId, 3, 'bad');
    batch.documents![1] = { ...batch.documents![1], word_count: -5 };
    batch.events![0] = { ...batch.events![0], confidence: Number.NaN };
    batch.documents!.push({ ...batch.documents![0], document_id: 'nul-doc', title: 'a\u0000b' });
    const result = await registry.hooks.syncWriteDocumentsToRegistry(batch);
    expect(result.outcome).toBe('written');
    expect(result.counts.document).toBe(2);
    expect(result.counts.event).toBe(5);
    expect(result.rejected?.map((r) => r.error)).toEqual([
      expect.stringMatching(/^document\[1\] \(bad-doc-1\): word_count: /),
      expect.stringMatching(/^document\[3\] \(nul-doc\): title: must not contain NUL/),
      expect.stringMatching(/^event\[0\] \(bad-doc-0-ev-0\): confidence: /),
    ]);
    expect(await count('document_metadata', 'job_id = $1', [jobId])).toBe(2);
    const rejectedMetric = await metrics.getSingleMetricAsString('stage2_metadata_registry_writes_total');
    expect(rejectedMetric).toContain('entity_type="document",status="rejected"} 2');
  });

  it('stores awkward text exactly: quotes, backslashes, braces, commas, newlines, NULL-like words, emoji', async () => {
    const jobId = randomUUID();
    const awkward = ['He said "hi" \\ {a,b}', 'line1\nline2\ttab', 'NULL', '', ' padded ', 'é 😀 日本', '\\"'];
    const documents = awkward.map((title, i) => ({ ...makeBatch(jobId, 1, `awk${i}`).documents![0], title, author: title }));
    const entity = { entity_id: 'awk-ent', entity_type: 'PER', canonical_name: 'x', aliases: awkward };
    expect(await registry.hooks.syncWriteDocumentsToRegistry({ jobId, documents, entities: [entity] })).toMatchObject({ outcome: 'written' });
    const read = (await collect(registry.reader.documents({ jobId }))).records;
    expect(read.map((d) => d.title).sort()).toEqual([...awkward].sort());
    expect(read.map((d) => d.author).sort()).toEqual([...awkward].sort());
    const aliases = (await pg.query("SELECT aliases FROM entity_metadata WHERE entity_id = 'awk-ent'")).rows[0].aliases;
    expect([...aliases].sort()).toEqual([...new Set(awkward)].sort());
  });

  it('keeps the last of records repeating a natural key within one batch', async () => {
    const jobId = randomUUID();
    const batch = makeBatch(jobId, 1, 'dup');
    batch.documents!.push({ ...batch.documents![0], title: 'last wins' });
    const result = await registry.hooks.syncWriteDocumentsToRegistry(batch);
    expect(result.counts.document).toBe(1);
    const rows = await pg.query("SELECT title FROM document_metadata WHERE document_id = 'dup-doc-0'");
    expect(rows.rows).toEqual([{ title: 'last wins' }]);
  });

  it('records a failed job with its error message, and never throws on bad input', async () => {
    const jobId = randomUUID();
    await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'b' });
    const failed = await registry.hooks.updateJobStatusInRegistry({ jobId, status: 'failed', errorMessage: 'boom' });
    expect(failed.outcome).toBe('written');
    expect(await registry.reader.getJob(jobId)).toMatchObject({ status: 'failed', error_message: 'boom' });

    const bad = await registry.hooks.syncWriteJobToRegistry({ jobId: 'not-a-uuid', batchId: '' });
    expect(bad.outcome).toBe('failed');
    expect(bad.reason).toMatch(/jobId: must be a UUID/);
    const unknown = await registry.hooks.updateJobStatusInRegistry({ jobId: randomUUID(), status: 'completed' });
    expect(unknown).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/is not registered/) });
    const notABatch = await registry.hooks.syncWriteDocumentsToRegistry(null as never);
    expect(notABatch.outcome).toBe('failed');
  });

  it('reads every kind back in keyset pages, by job and since a watermark', async () => {
    const jobId = randomUUID();
    await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'read' });
    const batch = makeBatch(jobId, 25, 'read');
    await registry.hooks.syncWriteDocumentsToRegistry(batch);

    const docs = await collect(registry.reader.documents({ jobId, pageSize: 10 }));
    expect(docs.pages).toBe(3);
    expect(docs.records).toHaveLength(25);
    expect(new Set(docs.records.map((d) => d.document_id)).size).toBe(25);
    expect(docs.records[0]).toMatchObject({ job_id: jobId, metadata: { lang: 'en' } });
    expect(docs.records[0].publication_date).toBeInstanceOf(Date);

    const events = await collect(registry.reader.events({ jobId, pageSize: 7 }));
    expect(events.records).toHaveLength(50);
    const first = events.records.find((e) => e.event_id === 'read-doc-3-ev-1')!;
    expect(first.event_date?.toISOString()).toBe('2024-01-04T00:00:00.000Z');
    expect(first.participants).toEqual([{ entity_id: 'read-ent-0', name: 'Alice', role: 'agent' }]);

    expect((await collect(registry.reader.entities({ jobId }))).records.map((e) => e.entity_id)).toEqual(['read-ent-0']);
    expect((await collect(registry.reader.documentEntities({ jobId, pageSize: 4 }))).records).toHaveLength(25);
    expect((await collect(registry.reader.eventEntities({ jobId, pageSize: 4 }))).records).toHaveLength(50);
    expect((await collect(registry.reader.linkages({ jobId }))).records).toHaveLength(49);
    const [story] = (await collect(registry.reader.storylines({ jobId }))).records;
    expect(story.event_ids).toEqual(batch.storylines![0].event_ids);
    expect(story.document_ids).toEqual(batch.storylines![0].document_ids);
    expect(story.end_date?.toISOString()).toBe('2024-01-25T00:00:00.000Z');

    const watermark = new Date();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await registry.hooks.syncWriteDocumentsToRegistry({ jobId, documents: [{ ...batch.documents![0], title: 'changed' }] });
    const since = await collect(registry.reader.documents({ updatedAfter: watermark }));
    expect(since.records.map((d) => d.document_id)).toEqual(['read-doc-0']);

    const jobs = await registry.reader.listJobs({ stage: 2, status: 'running', updatedAfter: new Date(Date.now() - 60_000) });
    expect(jobs.map((j) => j.job_id)).toContain(jobId);
    await expect(collect(registry.reader.documents({ jobId: 'nope' }))).rejects.toThrow(/jobId: must be a UUID/);
  });

  it('replaces a storyline\'s ordered events when it is rewritten shorter', async () => {
    const jobId = randomUUID();
    const batch = makeBatch(jobId, 2, 'short');
    await registry.hooks.syncWriteDocumentsToRegistry(batch);
    const story = batch.storylines![0];
    await registry.hooks.syncWriteDocumentsToRegistry({
      jobId,
      storylines: [{ ...story, event_ids: [story.event_ids[2], story.event_ids[0]] }],
    });
    const [read] = (await collect(registry.reader.storylines({ jobId }))).records;
    expect(read.event_ids).toEqual([story.event_ids[2], story.event_ids[0]]);
  });

  it('accumulates the aliases of an entity seen by several jobs', async () => {
    const entity = { entity_id: 'shared-ent', entity_type: 'PER', canonical_name: 'Bob', aliases: ['Bob'] };
    await registry.hooks.syncWriteDocumentsToRegistry({ jobId: randomUUID(), entities: [entity] });
    await registry.hooks.syncWriteDocumentsToRegistry({ jobId: randomUUID(), entities: [{ ...entity, aliases: ['Robert'] }] });
    const rows = await pg.query("SELECT aliases FROM entity_metadata WHERE entity_id = 'shared-ent'");
    expect(rows.rows[0].aliases).toEqual(['Bob', 'Robert']);
  });

  it('honours a percentage rollout: sticky per job, jobs outside write nothing', async () => {
    const rolloutDir = mkdtempSync(join(tmpdir(), 'registry-rollout-'));
    const rollout = await createRegistry({
      config: testConfig(db.url, rolloutDir, {
        METADATA_ENABLE_REDIS_CACHE: 'false',
        METADATA_PERCENTAGE_ROLLOUT: '30',
      }),
      logger: silent,
      replayIntervalMs: 0,
    });
    try {
      const jobs = Array.from({ length: 40 }, () => randomUUID());
      const inside = jobs.filter((job) => inRollout(job, 30));
      expect(inside.length).toBeGreaterThan(0);
      expect(inside.length).toBeLessThan(jobs.length);
      for (const jobId of jobs) {
        const expected = inside.includes(jobId) ? 'written' : 'skipped';
        expect(rollout.hooks.accepts(jobId)).toBe(inside.includes(jobId));
        expect((await rollout.hooks.syncWriteJobToRegistry({ jobId, batchId: 'r' })).outcome).toBe(expected);
        expect((await rollout.hooks.syncWriteDocumentsToRegistry(makeBatch(jobId, 1, `ro-${jobId}`))).outcome).toBe(expected);
        expect((await rollout.hooks.updateJobStatusInRegistry({ jobId, status: 'completed' })).outcome).toBe(expected);
      }
      expect(await count('job_registry', 'job_id = ANY($1::uuid[])', [jobs])).toBe(inside.length);
      expect(await count('document_metadata', 'job_id = ANY($1::uuid[])', [jobs])).toBe(inside.length);
    } finally {
      await rollout.close();
      rmSync(rolloutDir, { recursive: true, force: true });
    }
  });

  it('exposes the design\'s metric names with the caller\'s prefix', async () => {
    const text = await metrics.metrics();
    expect(text).toContain('stage2_metadata_registry_writes_total{entity_type="job",status="success"}');
    expect(text).toContain('stage2_metadata_registry_write_seconds_bucket{le="0.001",entity_type="document"}');
    expect(text).toContain('stage2_metadata_registry_outbox_pending 0');
    expect(text).toContain('stage2_metadata_registry_breaker_state 0');
    expect(registry.status()).toEqual({ breaker: 'closed', outboxPending: 0, backend: 'postgresql' });
  });
});
