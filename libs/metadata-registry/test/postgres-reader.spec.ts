import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, types } from 'pg';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from '@storytelling/test-utils';
import { createRegistry, migrateRegistry, registryMigrationsFingerprint, type Registry } from '../src';
import { collect, makeBatch, testConfig } from './registry-fixtures';

const silent = pino({ level: 'silent' });

/** What the reader returns against what was written, and its instants against the driver's parsing. */
describe('PostgreSQL reader', () => {
  let db: TestDatabase;
  let pg: Client;
  let dataDir: string;
  let registry: Registry;
  const jobId = randomUUID();
  const batch = makeBatch(jobId, 3);
  batch.documents?.forEach((d, i) => (d.publication_date = i === 0 ? null : new Date(Date.UTC(2024, 2, 1, 12, 30, 15, 987 - i))));
  // Text that JSON must carry through unchanged: quotes, backslashes, control characters, astral code points.
  if (batch.documents?.[2]) batch.documents[2].title = 'A "quoted" \\ title\twith\ncontrol and 🎉';
  if (batch.events?.[0]) batch.events[0].confidence = 0.1 + 0.2;

  beforeAll(async () => {
    db = await createTestDatabase({ schema: 'registry', fingerprint: registryMigrationsFingerprint(), migrate: migrateRegistry });
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    dataDir = mkdtempSync(join(tmpdir(), 'registry-reader-'));
    registry = await createRegistry({
      config: testConfig(db.url, dataDir, { METADATA_ENABLE_REDIS_CACHE: 'false' }),
      logger: silent,
      replayIntervalMs: 0,
    });
    await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'instants' });
    expect((await registry.hooks.syncWriteDocumentsToRegistry(batch)).outcome).toBe('written');
    // Microseconds the reader must truncate to milliseconds exactly like a Date does (not round).
    await pg.query("UPDATE document_metadata SET updated_at = '2024-05-06 07:08:09.999999+00' WHERE document_id = $1", [batch.documents?.[1].document_id]);
    await pg.query("UPDATE event_entities SET updated_at = '1999-12-31 23:59:59.000501+00' WHERE job_id = $1", [jobId]);
  });

  afterAll(async () => {
    await registry?.close();
    await pg?.end();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const driverDates = async (table: string, key: string, column: string) => {
    const { rows } = await pg.query({ text: `SELECT ${key} AS k, ${column} AS v FROM ${table} WHERE job_id = $1`, values: [jobId], types });
    return new Map(rows.map((r: { k: string; v: Date | null }) => [r.k, r.v?.toISOString() ?? null]));
  };

  it('reads back every record kind as it was written, page after page', async () => {
    const read = async <R>(pages: AsyncIterable<R[]>) => (await collect(pages)).records;
    const sameIds = <R>(records: R[], key: (r: R) => string) => records.map(key).sort();
    const documents = await read(registry.reader.documents({ jobId, pageSize: 2 }));
    expect(sameIds(documents, (d) => d.document_id)).toEqual(sameIds(batch.documents ?? [], (d) => d.document_id));
    for (const written of batch.documents ?? []) expect(documents.find((d) => d.document_id === written.document_id)).toMatchObject(written);
    const events = await read(registry.reader.events({ jobId, pageSize: 4 }));
    expect(events).toHaveLength(batch.events?.length ?? -1);
    for (const written of batch.events ?? []) expect(events.find((e) => e.event_id === written.event_id)).toMatchObject(written);
    const entities = await read(registry.reader.entities({ jobId, pageSize: 1 }));
    // A job's entities are those its documents and events name.
    const named = new Set([...(batch.documentEntities ?? []), ...(batch.eventEntities ?? [])].map((m) => m.entity_id));
    expect(entities.map((e) => e.entity_id)).toEqual([...named].sort());
    for (const written of (batch.entities ?? []).filter((e) => named.has(e.entity_id))) {
      // Aliases are a set: stored sorted, without repeats.
      expect(entities.find((e) => e.entity_id === written.entity_id)).toMatchObject({ ...written, aliases: [...new Set(written.aliases)].sort() });
    }
    // By key: the same records in the same order, unknown ids skipped, repeated ids once, in pages.
    const byIds = await collect(registry.reader.entitiesByIds([...named, 'no-such-entity', ...named], { pageSize: 1 }));
    expect(byIds.records).toEqual(entities);
    expect(byIds.pages).toBe(entities.length);
    expect((await collect(registry.reader.entitiesByIds([]))).records).toEqual([]);
    await expect(collect(registry.reader.entitiesByIds([42 as unknown as string]))).rejects.toThrow('ids[0] is not a string');
    expect(await read(registry.reader.documentEntities({ jobId, pageSize: 2 }))).toEqual(
      (batch.documentEntities ?? []).map((m) => expect.objectContaining(m)),
    );
    expect(await read(registry.reader.eventEntities({ jobId, pageSize: 5 }))).toEqual(
      (batch.eventEntities ?? []).map((m) => expect.objectContaining(m)),
    );
    const linkages = await read(registry.reader.linkages({ jobId, pageSize: 3 }));
    for (const written of batch.linkages ?? []) expect(linkages.find((l) => l.linkage_id === written.linkage_id)).toMatchObject(written);
    const [story] = await read(registry.reader.storylines({ jobId }));
    expect(story).toMatchObject(batch.storylines?.[0] ?? {});
  });

  it('reads every updated_at and publication_date as the driver parses them', async () => {
    const documents = (await collect(registry.reader.documents({ jobId }))).records;
    expect(documents).toHaveLength(3);
    const updated = await driverDates('document_metadata', 'document_id', 'updated_at');
    const published = await driverDates('document_metadata', 'document_id', 'publication_date');
    for (const d of documents) {
      expect(d.updated_at).toBeInstanceOf(Date);
      expect([d.document_id, d.updated_at?.toISOString()]).toEqual([d.document_id, updated.get(d.document_id)]);
      expect([d.document_id, d.publication_date?.toISOString() ?? null]).toEqual([d.document_id, published.get(d.document_id)]);
    }
    expect(documents.map((d) => d.updated_at?.toISOString())).toContain('2024-05-06T07:08:09.999Z');
    expect(documents.map((d) => d.publication_date)).toContain(null);

    const participations = (await collect(registry.reader.eventEntities({ jobId }))).records;
    expect(participations.length).toBeGreaterThan(0);
    for (const p of participations) expect(p.updated_at?.toISOString()).toBe('1999-12-31T23:59:59.000Z');
  });

  it('reads only the fields a query names, with the key fields, converted as in whole records', async () => {
    const events = (await collect(registry.reader.events({ jobId, pageSize: 2, fields: ['event_date', 'participants'] }))).records;
    expect(events).toHaveLength(batch.events?.length ?? -1);
    for (const e of events) {
      expect(Object.keys(e).sort()).toEqual(['event_date', 'event_id', 'participants']);
      const written = batch.events?.find((w) => w.event_id === e.event_id);
      expect(e).toEqual({ event_id: written?.event_id, event_date: written?.event_date ?? null, participants: written?.participants ?? [] });
    }
    const mentions = (await collect(registry.reader.documentEntities({ jobId, pageSize: 1, fields: ['mention_count'] }))).records;
    expect(mentions).toEqual((batch.documentEntities ?? []).map(({ document_id, entity_id, mention_count }) => ({ document_id, entity_id, mention_count })));
    const [story] = (await collect(registry.reader.storylines({ jobId, fields: ['event_ids', 'start_date'] }))).records;
    expect(story).toEqual({
      storyline_id: batch.storylines?.[0].storyline_id,
      event_ids: batch.storylines?.[0].event_ids,
      start_date: batch.storylines?.[0].start_date ?? null,
    });
  });

  it('refuses a field the record does not have', async () => {
    await expect(collect(registry.reader.linkages({ jobId, fields: ['score', 'nope'] }))).rejects.toThrow(/unknown linkage fields: nope/);
  });

  it('pages with updatedAfter at the millisecond the records carry', async () => {
    const all = (await collect(registry.reader.documents({ jobId }))).records;
    const latest = all.find((d) => d.updated_at?.toISOString() === '2024-05-06T07:08:09.999Z');
    const after = (await collect(registry.reader.documents({ jobId, updatedAfter: new Date('2024-05-06T07:08:09.998Z') }))).records;
    expect(after.map((d) => d.document_id)).toContain(latest?.document_id);
  });
});
