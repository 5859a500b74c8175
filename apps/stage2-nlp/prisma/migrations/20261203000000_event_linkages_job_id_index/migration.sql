-- A retried batch re-sends every linkage its job stored, also those between two documents of
-- earlier batches (a coreference cluster the batch confirmed): found by job, not through its
-- documents' events. Built CONCURRENTLY: a plain build blocks every write to event_linkages.
-- CreateIndex
CREATE INDEX CONCURRENTLY "event_linkages_job_id_idx" ON "event_linkages"("job_id");
