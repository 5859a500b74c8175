-- A storyline's version (the writer's link-state save that made it): an upsert applies only when
-- it is not older than the stored one, so a batch's write that lands late (slow, timed out,
-- replayed from the outbox) no longer restores an older storyline over a newer one. Nullable,
-- without a default: adding it rewrites nothing, and rows written before it stay unversioned
-- (any versioned write replaces them).
ALTER TABLE "storylines" ADD COLUMN "link_sequence" BIGINT;
