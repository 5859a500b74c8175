-- A batch that sends documents linked before reloads their storylines by document id
-- (document_ids @> ARRAY[id], one lookup a document): without this index, a scan of every storyline.
-- Built CONCURRENTLY: a plain build blocks every write to storylines while it runs (11 s at 100k
-- storylines), and during a rolling deploy the old replicas write there under the linker's lock.
-- fastupdate off: with the pending list on, the writes each batch makes were read by every lookup.
-- CreateIndex
CREATE INDEX CONCURRENTLY "storylines_document_ids_idx" ON "storylines" USING GIN ("document_ids") WITH (fastupdate = off);
